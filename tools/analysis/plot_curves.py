"""Compare the scalar curves of training runs in one figure (the CLIP+ViLT study, its fig. 3).

``python tools/analysis/plot_curves.py WORK_DIR [WORK_DIR ...] --keys loss
[loss_vqa ...] [--labels A B ...] [--smooth 0.9] [--log-y] [--out curves.png]``

Reads what mmengine's ``LocalVisBackend`` writes, every
``WORK_DIR/<timestamp>/vis_data/scalars.json`` (one JSON record per line;
several timestamps, e.g. a resumed run, are merged in time order, a later
record replacing an earlier one of the same step). Training records (those
with an ``iter`` field) are drawn against the iteration ``step``; others
(validation metrics such as ``vqa/accuracy``) against their ``step``, the
epoch. Each key gets one panel, each run one colour: the logged values thin
and faint (raw), their exponential moving average bold (smoothed, debiased
as TensorBoard's); a curve of a single point (one validation) is a marker
on an axis of whole steps. A relative ``--out`` is under the work dir (the
common parent of several). A table of the first / last / minimum smoothed
values and the last raw value is printed, and with ``--threshold T`` the first step where the
smoothed curve
reaches ``T`` (how fast each run converges).

Raw means "as logged": the logger averages ``log_processor.window_size``
iterations and logs every ``default_hooks.logger.interval``; the toy VQA
recipes log every iteration with a window of 1.
"""

import argparse
import glob
import json
import os
import os.path as osp
import sys

import numpy as np

from vltoolkit.utils.output_paths import common_work_dir, under_work_dir


def read_scalars(work_dir: str) -> dict:
    """``{key: (steps, values, is_train)}`` of one work dir."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(
            f'no */vis_data/scalars.json under {work_dir}: is it the --work-dir of '
            'a tools/train.py run (LocalVisBackend in vis_backends)?'
        )
    train, other = {}, {}
    for path in files:
        with open(path) as f:
            for line_no, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:  # a run killed mid-write
                    print(f'warning: {path}:{line_no} is not JSON, skipped', file=sys.stderr)
                    continue
                table = train if 'iter' in record else other
                step = record.get('step', record.get('iter'))
                for key, value in record.items():
                    if isinstance(value, (int, float)) and key not in ('step', 'iter', 'epoch'):
                        table.setdefault(key, {})[step] = float(value)
    out = {}
    for table, is_train in ((train, True), (other, False)):
        for key, points in table.items():
            steps = np.array(sorted(points))
            out[key] = (steps, np.array([points[s] for s in steps]), is_train)
    return out


def ema(values: np.ndarray, weight: float) -> np.ndarray:
    """Debiased exponential moving average (TensorBoard's smoothing)."""
    if not 0 <= weight < 1:
        raise ValueError(f'--smooth must be in [0, 1), got {weight}')
    out, last, norm = [], 0.0, 0.0
    for v in values:
        last = weight * last + (1 - weight) * v
        norm = weight * norm + (1 - weight)
        out.append(last / norm)
    return np.array(out)


def first_reaching(steps, smoothed, threshold, decreasing=True):
    hits = np.flatnonzero(smoothed <= threshold if decreasing else smoothed >= threshold)
    return int(steps[hits[0]]) if hits.size else None


def _whole_step_axis(ax, steps) -> None:
    """Ticks on whole steps (epochs, iterations), and room around a
    single step instead of matplotlib's +-5% of it (ticks at 0.96 .. 1.04)."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if steps and min(steps) == max(steps):
        ax.set_xlim(min(steps) - 1, max(steps) + 1)


def draw(runs: dict, keys, smooth: float, title: str = None, log_y: bool = False):
    """The figure of ``runs`` (label -> scalars of :func:`read_scalars`);
    ``log_y`` puts the training panels on a log scale (the first steps' drop
    otherwise squashes the rest)."""
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(keys), figsize=(5.2 * len(keys), 3.8), squeeze=False)
    colors = plt.rcParams['axes.prop_cycle'].by_key()['color']
    for ax, key in zip(axes[0], keys):
        is_train, all_steps = True, []
        for i, (label, scalars) in enumerate(runs.items()):
            if key not in scalars:
                continue
            steps, values, is_train = scalars[key]
            color = colors[i % len(colors)]
            # a curve of one point has no line to draw: give it a marker
            marker = 'o' if (not is_train or len(steps) == 1) else None
            if is_train:
                ax.plot(steps, values, color=color, alpha=0.25, linewidth=0.8)
                ax.plot(
                    steps,
                    ema(values, smooth),
                    color=color,
                    linewidth=1.8,
                    marker=marker,
                    markersize=7,
                    label=label,
                )
            else:
                ax.plot(
                    steps,
                    values,
                    color=color,
                    marker=marker,
                    markersize=7,
                    linewidth=1.5,
                    label=label,
                )
            all_steps.extend(steps.tolist())
        ax.set_xlabel('iteration' if is_train else 'epoch')
        _whole_step_axis(ax, all_steps)
        if log_y and is_train:
            ax.set_yscale('log')
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(
        title or f'{", ".join(keys)} vs step (faint: raw, bold: EMA {smooth})', fontsize=10
    )
    fig.tight_layout()
    return fig


def plot(runs: dict, keys, smooth: float, out: str, title: str = None, log_y: bool = False):
    """:func:`draw` the runs and save the figure to ``out``."""
    import matplotlib.pyplot as plt

    fig = draw(runs, keys, smooth, title, log_y)
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dirs', nargs='+', help='tools/train.py work dirs')
    parser.add_argument(
        '--keys',
        nargs='+',
        default=['loss'],
        help='scalars to draw, one panel each (default: loss)',
    )
    parser.add_argument('--labels', nargs='+', help='one legend label per work dir')
    parser.add_argument(
        '--smooth', type=float, default=0.9, help='EMA weight in [0, 1) (default 0.9)'
    )
    parser.add_argument(
        '--threshold',
        type=float,
        default=None,
        help='report the first step where the smoothed first key reaches this value',
    )
    parser.add_argument(
        '--log-y', action='store_true', help='log scale for the training (per-iteration) panels'
    )
    parser.add_argument('--title', default=None)
    parser.add_argument(
        '--out',
        default='curves.png',
        help='output image; a relative path is under the work dir '
        '(the common parent of several): WORK_DIR/curves.png',
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    labels = args.labels or [osp.basename(osp.normpath(d)) for d in args.work_dirs]
    if len(labels) != len(args.work_dirs):
        raise SystemExit(f'error: {len(labels)} labels for {len(args.work_dirs)} work dirs')
    try:
        runs = {label: read_scalars(d) for label, d in zip(labels, args.work_dirs)}
    except FileNotFoundError as err:
        raise SystemExit(f'error: {err}')
    missing = [k for k in args.keys if not any(k in s for s in runs.values())]
    if missing:
        known = sorted({k for s in runs.values() for k in s})
        raise SystemExit(f'error: no run logged {missing}; logged keys: {known}')
    args.out = under_work_dir(args.out, common_work_dir(args.work_dirs))
    plot(runs, args.keys, args.smooth, args.out, args.title, args.log_y)

    from rich.console import Console
    from rich.table import Table

    table = Table(title=f'smoothed (EMA {args.smooth}) curves -> {args.out}')
    for col in ('run', 'key', 'steps', 'first', 'last', 'last (raw)', 'min') + (
        (f'first step <= {args.threshold}',) if args.threshold is not None else ()
    ):
        table.add_column(col, justify='left' if col in ('run', 'key') else 'right')
    for label, scalars in runs.items():
        for j, key in enumerate(args.keys):
            if key not in scalars:
                continue
            steps, values, is_train = scalars[key]
            sm = ema(values, args.smooth) if is_train else values
            row = [
                label,
                key,
                str(len(steps)),
                f'{sm[0]:.4f}',
                f'{sm[-1]:.4f}',
                f'{values[-1]:.4f}',
                f'{sm.min():.4f}',
            ]
            if args.threshold is not None:
                hit = first_reaching(steps, sm, args.threshold) if j == 0 else None
                row.append('-' if hit is None else str(hit))
            table.add_row(*row)
    Console().print(table)
    return 0


if __name__ == '__main__':
    sys.exit(main())
