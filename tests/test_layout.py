"""The layout the folders show is the one the imports have: no module imports, directly or
through others, a module that imports it back (lazy imports inside functions count)."""

import grimp


def cycles(graph, modules) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_the_import_graph_has_no_cycle():
    graph = grimp.build_graph("profilegen")
    assert len(graph.modules) > 30  # the whole package was read
    assert cycles(graph, graph.modules) == []


def test_a_cycle_is_found():
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    assert cycles(graph, graph.modules) == []
    graph.add_import(importer="p.c", imported="p.a")
    assert cycles(graph, graph.modules) == [["p.a", "p.b", "p.c"]]


def test_each_folder_says_what_it_holds():
    """Every layer's __init__ names each of its modules, so the docstring can't fall behind the tree."""
    import ast
    from pathlib import Path

    import profilegen

    root = Path(profilegen.__file__).parent
    folders = [p for p in root.iterdir() if (p / "__init__.py").is_file()]
    assert len(folders) >= 6
    for folder in folders:
        doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text())) or ""
        for module in folder.glob("*.py"):
            if module.stem != "__init__":
                assert f"`{module.stem}`" in doc, f"{folder.name}/__init__.py doesn't say what {module.name} holds"
