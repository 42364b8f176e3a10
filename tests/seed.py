"""Reads the endpoint tables straight out of the seed article (Vietnamese), as an oracle."""

from conftest import shared

SECTIONS = {
    "Cài đặt và cập nhật": "Installation and updates",
    "Khởi chạy ứng dụng đầu tiên": "First app launch",
    "Đăng nhập": "Sign in",
    "Kích hoạt sản phẩm": "Product activation",
    "Nội dung Có gì Mới": "What's New content",
    "Trình nghiên cứu": "Researcher",
    "Tra cứu Thông minh": "Smart Lookup",
    "PowerPoint Designer": "PowerPoint Designer",
    "Trình bắt đầu nhanh PowerPoint": "PowerPoint QuickStarter",
    "Gửi Nụ cười/Vẻ mặt cau có": "Send a Smile/Frown",
    "Liên hệ với bộ phận hỗ trợ": "Contact support",
    "Lưu như PDF": "Save as PDF",
    "Các ứng dụng Office (phần bổ trợ aka)": "Office Apps (aka add-ins)",
    "Liên kết an toàn": "Safe Links",
    "Báo cáo sự cố": "Crash reporting",
}
LETTERS = {"W": "Word", "X": "Excel", "P": "PowerPoint", "O": "Outlook", "N": "OneNote"}
END = "Các tùy chọn nhằm giảm bớt các yêu cầu và lưu lượng mạng"


def commands() -> list[tuple[str, str, str, str]]:
    """Every `defaults write DOMAIN KEY -FLAG VALUE` of the article."""
    import re

    text = shared("seed").glob("*.txt").__next__().read_text(encoding="utf-8")
    return re.findall(r"defaults write (\S+) (\w+) (-integer|-bool|-string) '?‘?([\w]+)’?'?", text)


def rows() -> list[dict]:
    """Every endpoint row: section (English), url, apps (names), type."""
    text = shared("seed").glob("*.txt").__next__().read_text(encoding="utf-8")
    lines = [line.strip() for line in text.split(END)[0].splitlines() if line.strip()]
    result, section, has_apps, i = [], None, False, 0
    while i < len(lines):
        line = lines[i]
        if line in SECTIONS:
            section, has_apps = SECTIONS[line], False
        elif line == "Ứng dụng":
            has_apps = True
        elif line.startswith("https://") and section:
            apps = lines[i + 1] if has_apps else ""
            kind = lines[i + 2] if has_apps else lines[i + 1]
            names = [LETTERS[x] for x in apps]
            result.append({"section": section, "url": line, "apps": names, "type": kind})
            i += 3 if has_apps else 2
            continue
        i += 1
    return result
