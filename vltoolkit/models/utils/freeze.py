"""Freeze parameters by module-name patterns, and count them."""

import fnmatch
import io

import torch.nn as nn


def freeze_modules(model: nn.Module, patterns) -> list:
    """Set ``requires_grad=False`` under every module matching a pattern.

    Patterns are ``fnmatch`` globs over dotted module names (``'vision_encoder'``,
    ``'language_model.model.encoder.layers.[01]'``). A pattern that matches no
    module raises ``ValueError`` listing the top-level module names.
    Returns the names of the frozen modules.
    """
    names = [name for name, _ in model.named_modules() if name]
    frozen = []
    for pattern in patterns:
        hits = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
        if not hits:
            top = sorted({n.split('.')[0] for n in names})
            raise ValueError(
                f'frozen_modules pattern {pattern!r} matches no module; top-level modules: {top}'
            )
        for name in hits:
            for param in model.get_submodule(name).parameters():
                param.requires_grad_(False)
        frozen += hits
    return frozen


def count_parameters(model: nn.Module) -> list:
    """Rows ``(module, total, trainable)`` per top-level child, then a total."""
    rows = []
    for name, child in model.named_children():
        params = list(child.parameters())
        if params:
            rows.append(
                (
                    name,
                    sum(p.numel() for p in params),
                    sum(p.numel() for p in params if p.requires_grad),
                )
            )
    rows.append(
        (
            'total',
            sum(p.numel() for p in model.parameters()),
            sum(p.numel() for p in model.parameters() if p.requires_grad),
        )
    )
    return rows


def parameter_table_text(model: nn.Module) -> str:
    """The :func:`count_parameters` rows as a rich table rendered to text."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title='Parameters')
    for col in ('module', 'total', 'trainable', '%'):
        table.add_column(col, justify='left' if col == 'module' else 'right')
    for name, total, trainable in count_parameters(model):
        table.add_row(
            name, f'{total:,}', f'{trainable:,}', f'{100 * trainable / max(total, 1):.1f}'
        )
    console = Console(record=True, width=100, file=io.StringIO())
    console.print(table)
    return console.export_text()
