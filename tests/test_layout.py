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
