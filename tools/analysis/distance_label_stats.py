"""Mass on the true token and border bias of distance-inverse labels, per coder.

For every box coder (``--num-bins`` bin coders, ``--num-patches`` patch grids)
and every setting, prints ``distance_label_stats``: the share of the label's
mass on the true token at the centre and at the border (bin 0 / the corner
cell), and how far the label's mean sits inward from a true token at the
border (in location steps and in % of the image side). Runs offline::

    python tools/analysis/distance_label_stats.py
    python tools/analysis/distance_label_stats.py --num-bins 1000 \\
        --num-patches 32 40 --settings power=2,window=4 power=1,window=none
"""

import argparse

DEFAULT_SETTINGS = (
    'power=2,window=4',
    'power=1,window=none',
    'power=2,window=none',
    'power=3,window=none',
    'power=1,window=10',
)


def parse_setting(text: str) -> dict:
    """``'power=2,window=none'`` -> ``dict(power=2.0, window=None)``."""
    setting = {}
    for item in filter(None, text.split(',')):
        key, sep, value = item.partition('=')
        if not sep or key not in ('power', 'scale', 'window', 'mix'):
            raise SystemExit(
                f'bad setting {item!r} in {text!r}: use key=value '
                'with key in power, scale, window, mix'
            )
        setting[key] = None if value.lower() == 'none' else float(value)
    return setting


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--num-bins',
        type=int,
        nargs='*',
        default=[1000],
        help='bin coders (BinBoxCoder num_bins); default 1000',
    )
    parser.add_argument(
        '--num-patches',
        type=int,
        nargs='*',
        default=[32, 40],
        help='patch grids (PatchIndexBoxCoder P); default 32 40',
    )
    parser.add_argument(
        '--settings',
        nargs='*',
        default=list(DEFAULT_SETTINGS),
        help='label settings, e.g. power=2,window=4 (window=none: '
        'no window); unset keys take the encoder defaults',
    )
    return parser.parse_args(argv)


def stats_rows(num_bins, num_patches, settings):
    """One dict per (coder, setting): the coder's name, the setting's text
    and :func:`~vltoolkit.label_encoders.distance_label_stats`."""
    from vltoolkit.label_encoders import distance_label_stats
    from vltoolkit.tokenization import BinBoxCoder, PatchIndexBoxCoder

    coders = [(f'{n} bins', BinBoxCoder(n)) for n in num_bins]
    coders += [(f'{p}x{p} patches', PatchIndexBoxCoder(p)) for p in num_patches]
    rows = []
    for name, coder in coders:
        for text in settings:
            rows.append(
                dict(coder=name, setting=text, **distance_label_stats(coder, **parse_setting(text)))
            )
    return rows


def main(argv=None):
    args = parse_args(argv)
    from rich.console import Console
    from rich.table import Table

    table = Table(title='Distance-inverse labels: mass on the true token, border bias')
    for column in (
        'coder',
        'setting',
        'mass centre',
        'mass border',
        'border bias (steps)',
        'border bias (% image)',
    ):
        table.add_column(column, justify='left' if column in ('coder', 'setting') else 'right')
    rows = stats_rows(args.num_bins, args.num_patches, args.settings)
    for row in rows:
        table.add_row(
            row['coder'],
            row['setting'],
            f"{row['true_mass_centre']:.3f}",
            f"{row['true_mass_border']:.3f}",
            f"{row['border_bias']:.2f}",
            f"{100 * row['border_bias_frac']:.2f}",
        )
    Console(width=110).print(table)
    return rows


if __name__ == '__main__':
    main()
