"""The per-relation table of :class:`~vltoolkit.evaluation.MacroF1`."""

import io
from typing import Optional, Sequence

import numpy as np
from rich.console import Console
from rich.table import Table

__all__ = ['relation_table', 'render_table']

#: what a relation left out of the mean lacks, per ``average_over``
_LEFT_OUT = {
    'seen': 'neither in the ground truth nor predicted',
    'gt': 'no ground-truth positive',
    'labels': 'not in the given labels',
}


def relation_table(
    result: dict, class_names: Sequence[str], title: Optional[str] = 'Per-relation results'
) -> Table:
    """A :class:`rich.table.Table` of per-relation P / R / F1 / support.

    Relations left out of the macro mean (by the result's
    ``average_over``: under ``'seen'`` those neither in the ground truth nor
    predicted, under ``'gt'`` those without a ground-truth positive) show
    ``-`` for F1 and are dimmed; the caption says which rule chose them. The
    last row gives the macro averages and how many relations entered them.

    Args:
        result (dict): the output of :meth:`MacroF1.calculate`.
        class_names (Sequence[str]): one name per column of the arrays.
        title (str, optional): the table title.
    """
    f1 = np.asarray(result['f1'])
    if len(class_names) != len(f1):
        raise ValueError(f'{len(class_names)} class names for {len(f1)} columns.')
    evaluated = np.zeros(len(f1), dtype=bool)
    evaluated[np.asarray(result['labels'], dtype=int)] = True
    table = Table(title=title)
    table.add_column('Relation', style='cyan', no_wrap=True)
    for column in ('Precision', 'Recall', 'F1', 'Support', 'Predicted'):
        table.add_column(column, justify='right')
    for k, name in enumerate(class_names):
        in_macro = bool(evaluated[k])
        table.add_row(
            str(name),
            f'{result["precision"][k]:.2f}',
            f'{result["recall"][k]:.2f}',
            f'{f1[k]:.2f}' if in_macro else '-',
            str(int(result['support'][k])),
            str(int(result['num_predicted'][k])),
            style=None if in_macro else 'dim',
        )
    average_over = result.get('average_over', 'gt')
    table.add_section()
    table.add_row(
        f'macro ({int(evaluated.sum())} of {len(f1)}, {average_over})',
        f'{result["macro_precision"]:.2f}',
        f'{result["macro_recall"]:.2f}',
        f'{result["macro_f1"]:.2f}',
        str(int(np.asarray(result['support']).sum())),
        str(int(np.asarray(result['num_predicted']).sum())),
        style='bold',
    )
    left_out = len(f1) - int(evaluated.sum())
    table.caption = f'micro F1 {result["micro_f1"]:.2f}; macro over {average_over!r} relations'
    if left_out:
        table.caption += f'; "-" = {_LEFT_OUT[average_over]}, not in macro F1 ({left_out})'
    return table


def render_table(table: Table, width: int = 100) -> str:
    """Render a rich table to plain text (for loggers and files)."""
    console = Console(record=True, width=width, file=io.StringIO())
    console.print(table)
    return console.export_text()
