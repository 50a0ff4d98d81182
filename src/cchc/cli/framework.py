"""``cchc framework validate|show|list``: check framework files and print their tree."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.tree import Tree

from cchc.cli.common import fail, print_json
from cchc.core.framework import Framework, FrameworkError, Node

app = typer.Typer(help="Bộ chỉ số: kiểm tra và xem (frameworks: validate, show, list).", no_args_is_help=True)


@app.command("validate")
def validate(files: list[Path] = typer.Argument(..., help="YAML framework files")) -> None:
    """Validate framework files; list every problem with file and node path (exit code 2 if any)."""
    from cchc.frameworks import read_framework_file

    problems: list[str] = []
    for path in files:
        try:
            fw = read_framework_file(path)
        except FrameworkError as error:
            problems.extend(error.problems)
            continue
        typer.echo(
            f"OK {path}: {fw.id} v{fw.version}, {len(fw.leaves())} tiêu chí lá / leaves, "
            f"tối đa / max {_fmt(fw.max_points()) if fw.scorable else _partial_max(fw)}"
        )
    if problems:
        fail(problems, "Bộ chỉ số không hợp lệ / invalid framework")


@app.command("list")
def list_frameworks(as_json: bool = typer.Option(False, "--json", help="JSON output")) -> None:
    """The frameworks shipped with cchc."""
    from cchc.frameworks import shipped_frameworks

    items = [
        {"id": f.id, "version": f.version, "name_vi": f.name_vi, "status": f.status, "decision": f.decision,
         "scorable": f.scorable}
        for f in shipped_frameworks()
    ]
    if as_json:
        print_json(items)
        return
    for item in items:
        typer.echo(f"{item['id']:<28} {item['status']:<17} {item['name_vi']}")


@app.command("show")
def show(
    framework: str = typer.Argument(..., help="shipped id or YAML file"),
    as_json: bool = typer.Option(False, "--json", help="JSON output"),
    lang: str = typer.Option("vi", help="vi or en"),
) -> None:
    """Print a framework's tree with maxima, methods and evidence requirements."""
    from cchc.frameworks import load_framework

    try:
        fw = load_framework(framework)
    except FrameworkError as error:
        fail(error.problems, "Bộ chỉ số không hợp lệ / invalid framework")
    if as_json:
        print_json(fw.model_dump(mode="json", exclude_none=True))
        return
    title = f"{(fw.name_en or fw.name_vi) if lang == 'en' else fw.name_vi} — {fw.id} v{fw.version} [{fw.status}]"
    tree = Tree(title)
    if fw.decision:
        tree.add(f"[dim]{fw.decision}[/dim]")
    _add(tree, fw.nodes, lang)
    console = Console(width=140)
    console.print(tree)
    console.print(f"Tổng điểm tối đa / maximum: {_fmt(fw.max_points()) if fw.scorable else _partial_max(fw)}")
    if fw.bands:
        console.print("Xếp loại / bands: " + "; ".join(f"{b.label(lang)} {b.min:g}–{b.max:g}" for b in fw.bands))
    if fw.status_note:
        console.print(f"[dim]{fw.status_note}[/dim]")


def _add(parent: Tree, nodes: list[Node], lang: str) -> None:
    for node in nodes:
        maximum = "?" if node.max_points is None and not node.is_signed else _fmt(node.max_points)
        if node.is_signed:
            maximum = f"{'+' if node.kind == 'bonus' else '−'}≤{_fmt(node.method.cap)}"  # type: ignore[union-attr]
        label = f"{node.code} {node.name(lang)} [bold]({maximum})[/bold]"
        if node.kind:
            label += f" [cyan]{node.kind}[/cyan]"
        if node.evidence == "required":
            label += " [yellow]kiểm chứng bắt buộc[/yellow]"
        if node.applies_to:
            label += f" [magenta]chỉ: {', '.join(node.applies_to)}[/magenta]"
        branch = parent.add(label)
        _add(branch, node.children, lang)


def _fmt(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _partial_max(fw: Framework) -> str:
    known = fw.max_points()
    if fw.total_max_points is None:
        return f"{known:g} (một số tối đa chưa công bố / some maxima unknown)"
    return (
        f"{fw.total_max_points:g} (đã biết / known {known:g}; chưa công bố / unknown {fw.total_max_points - known:g})"
    )
