#!/bin/sh
# @HEADER@
#
# Usage: sh SCRIPT [--proxy URL] [--timeout SECONDS] [--jamf-ea]
#   --proxy URL    the proxy to test, such as http://proxy.example.com:3128 [default: https_proxy,
#                  or the system's HTTPS proxy (scutil --proxy), or none]
#   --timeout S    seconds each request may take, more than 0 [default: 5]
#   --jamf-ea      print only <result>Pass</result> or <result>Fail: N</result>
# Jamf Pro passes mount point, computer name and user name first: they are skipped, and the
# options may come in parameters 4 and later.
#
# One HTTPS request to each host, and what came back:
#   reachable   the host answered (through the proxy, the proxy let the request through)
#   answered    the proxy refused it with 403 or 404: what Microsoft asks for a blocked host
#   auth        the proxy asked for authentication (407)
#   dropped     the connection was reset, closed or timed out: Office keeps retrying
#   dns         the name didn't resolve
#   error       anything else (the curl exit code and HTTP codes are shown)
# Exit code 0 when every needed host is reachable and every blocked host answered, 1 otherwise,
# 2 on bad usage or a proxy that can't be reached (then no host is tried: every one would fail).

set -u

proxy="${https_proxy:-${HTTPS_PROXY:-}}"
timeout=5
jamf_ea=0

usage() {
  echo "usage: $0 [--proxy URL] [--timeout SECONDS] [--jamf-ea]"
}

if [ $# -ge 3 ] && [ "${1#/}" != "$1" ]; then
  shift 3
fi

while [ $# -gt 0 ]; do
  case "$1" in
    --proxy) [ $# -ge 2 ] || { usage >&2; exit 2; }; proxy="$2"; shift ;;
    --timeout) [ $# -ge 2 ] || { usage >&2; exit 2; }; timeout="$2"; shift ;;
    --jamf-ea) jamf_ea=1 ;;
    -h|--help) usage; exit 0 ;;
    '') ;;
    *) echo "Error: unknown option '$1'; expected --proxy, --timeout or --jamf-ea" >&2; exit 2 ;;
  esac
  shift
done

# curl takes 0 as no limit at all: a probe of a proxy that says nothing would never end.
case "$timeout" in
  ''|*[!0-9.]*|*.*.*|.*|*.) timeout_ok=0 ;;
  *) timeout_ok=1 ;;
esac
if [ "$timeout_ok" -eq 0 ] || ! awk -v t="$timeout" 'BEGIN { exit !(t + 0 > 0) }'; then
  echo "Error: --timeout '$timeout' is not valid; expected seconds, more than 0, such as 5 or 2.5" >&2
  exit 2
fi

# macOS keeps its proxy in the system configuration, which curl doesn't read by itself.
if [ -z "$proxy" ] && command -v scutil >/dev/null 2>&1; then
  settings=$(scutil --proxy 2>/dev/null)
  if printf '%s\n' "$settings" | grep -q 'HTTPSEnable : 1'; then
    host=$(printf '%s\n' "$settings" | awk '$1 == "HTTPSProxy" { print $3 }')
    port=$(printf '%s\n' "$settings" | awk '$1 == "HTTPSPort" { print $3 }')
    [ -n "$host" ] && proxy="http://$host:${port:-8080}"
  fi
fi

failures=0
checked=0

probe() {
  # $1 the host, $2 what it should be: needed or blocked
  if [ -n "$proxy" ]; then
    codes=$(curl -s -o /dev/null --max-time "$timeout" --proxy "$proxy" -w '%{http_connect} %{http_code}' \
      "https://$1/" 2>/dev/null)
  else
    codes=$(curl -s -o /dev/null --max-time "$timeout" --noproxy '*' -w '%{http_connect} %{http_code}' \
      "https://$1/" 2>/dev/null)
  fi
  status=$?
  connect=${codes%% *}
  code=${codes##* }
  case "$connect:$status" in
    403:*|404:*) result=answered ;;
    407:*) result=auth ;;
    200:*) result=reachable ;;
    *:6|*:5) result=dns ;;
    *:7|*:28|*:35|*:52|*:56) result=dropped ;;
    *)
      if [ "$code" != "000" ] && [ -n "$code" ]; then result=reachable; else result=error; fi ;;
  esac
  if [ "$result" = error ]; then
    detail="curl $status, CONNECT ${connect:-000}, HTTP ${code:-000}"
  else
    detail=""
  fi
  checked=$((checked + 1))
  if { [ "$2" = needed ] && [ "$result" = reachable ]; } || { [ "$2" = blocked ] && [ "$result" = answered ]; }; then
    verdict=ok
  else
    verdict=FAIL
    failures=$((failures + 1))
  fi
  if [ "$jamf_ea" -eq 0 ]; then
    printf '%-4s  %-7s  %-9s  %s %s\n' "$verdict" "$2" "$result" "$1" "$detail"
  fi
}

note() {
  [ "$jamf_ea" -eq 1 ] || echo "not probed, $1"
}

if ! command -v curl >/dev/null 2>&1; then
  echo "Error: curl is not installed; the probe needs it" >&2
  exit 2
fi

# A proxy that can't be reached would make every host fail alike: say so once, and try none.
if [ -n "$proxy" ]; then
  curl -s -o /dev/null --max-time "$timeout" --noproxy '*' "$proxy" 2>/dev/null
  reach=$?
  case $reach in
    5|6) why="its name doesn't resolve" ;;
    7) why="it refused the connection, or nothing listens there" ;;
    28) why="it didn't answer within ${timeout}s" ;;
    *) why="" ;;
  esac
  if [ -n "$why" ]; then
    if [ "$jamf_ea" -eq 1 ]; then
      echo "<result>Fail: proxy $proxy unreachable</result>"
    else
      echo "Error: the proxy $proxy can't be reached: $why (curl exit $reach); no host was tried" >&2
    fi
    exit 2
  fi
fi

if [ "$jamf_ea" -eq 0 ]; then
  echo "Probing through ${proxy:-no proxy}, ${timeout}s per host."
  printf '%-4s  %-7s  %-9s  %s\n' "" "host is" "result" "host"
fi

# @HOSTS@

if [ "$jamf_ea" -eq 1 ]; then
  if [ "$failures" -eq 0 ]; then echo "<result>Pass</result>"; else echo "<result>Fail: $failures</result>"; fi
  exit 0
fi
echo "$checked hosts probed, $failures not as they should be."
[ "$failures" -eq 0 ]
