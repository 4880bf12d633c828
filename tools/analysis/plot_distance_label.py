"""Plot the distance-inverse target distribution of one location token.

Left: the distribution over a ``P x P`` patch grid (Kosmos-2 patch indices,
``PatchIndexBoxCoder``) as a heatmap, for the true patch ``--index``.
Right: the distribution over ``--num-bins`` bins (OFA / Pix2Seq,
``BinBoxCoder``) as a line plot, for the true bin ``--bin-index``.
Both rows come from ``vltoolkit.label_encoders.distance_label_table``, the
table ``DistanceLabelEncoder`` uses. Runs offline (no tokenizer needed)::

    python tools/analysis/plot_distance_label.py --num-patches 16 \\
        --index 100 --power 1 --scale 1 \\
        --out docs/figures/distance_label_patch.png
"""

import argparse
import os
import os.path as osp


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--num-patches', type=int, default=16, help='P, patches per side of the grid (default 16)'
    )
    parser.add_argument(
        '--index', type=int, default=100, help='the true patch index, row * P + col'
    )
    parser.add_argument(
        '--num-bins', type=int, default=64, help='number of bins of the line plot (default 64)'
    )
    parser.add_argument(
        '--bin-index', type=int, default=None, help='the true bin (default: num_bins // 3)'
    )
    parser.add_argument('--power', type=float, default=1.0)
    parser.add_argument('--scale', type=float, default=1.0)
    parser.add_argument('--window', type=float, default=None)
    parser.add_argument('--mix', type=float, default=0.0)
    parser.add_argument(
        '--out',
        default='work_dirs/figures/distance_label_patch.png',
        help='output image (default under work_dirs/; the figure of '
        'docs/location_learning.md is docs/figures/distance_label_patch.png)',
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import matplotlib

    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from vltoolkit.label_encoders import distance_label_table
    from vltoolkit.tokenization import BinBoxCoder, PatchIndexBoxCoder

    p = args.num_patches
    if not 0 <= args.index < p * p:
        raise SystemExit(f'--index must be in [0, {p * p}), got {args.index}')
    bin_index = args.num_bins // 3 if args.bin_index is None else args.bin_index
    if not 0 <= bin_index < args.num_bins:
        raise SystemExit(f'--bin-index must be in [0, {args.num_bins}), got {bin_index}')
    kw = dict(power=args.power, scale=args.scale, window=args.window, mix=args.mix)
    patch = distance_label_table(PatchIndexBoxCoder(p), **kw)[args.index]
    bins = distance_label_table(BinBoxCoder(args.num_bins), **kw)[bin_index]

    params = (
        f'power={args.power:g}, scale={args.scale:g}'
        + (f', window={args.window:g}' if args.window is not None else '')
        + (f', mix={args.mix:g}' if args.mix else '')
    )
    fig, (ax_grid, ax_bins) = plt.subplots(
        1, 2, figsize=(11, 4.4), gridspec_kw=dict(width_ratios=[1, 1.3])
    )
    image = ax_grid.imshow(patch.reshape(p, p).numpy(), cmap='viridis')
    row, col = divmod(args.index, p)
    ax_grid.plot(col, row, marker='x', color='red', markersize=9)
    ax_grid.set_title(
        f'patch grid {p}x{p}, truth = patch {args.index} (row {row}, col {col})', fontsize=10
    )
    ax_grid.set_xlabel('column')
    ax_grid.set_ylabel('row')
    fig.colorbar(image, ax=ax_grid, fraction=0.046, pad=0.04, label='target probability')
    ax_bins.plot(range(args.num_bins), bins.numpy(), marker='.', lw=1)
    ax_bins.axvline(bin_index, color='red', ls='--', lw=1, label=f'truth = bin {bin_index}')
    ax_bins.set_title(f'{args.num_bins} bins', fontsize=10)
    ax_bins.set_xlabel('bin index j')
    ax_bins.set_ylabel('target probability')
    ax_bins.legend()
    fig.suptitle(
        f'Distance-inverse labels: t_j ∝ (1 + d(i, j)/scale)^-power ({params})', fontsize=11
    )
    fig.tight_layout()
    out_dir = osp.dirname(args.out)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    plt.close(fig)
    print(f'saved {args.out}')


if __name__ == '__main__':
    main()
