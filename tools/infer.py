"""Ask a recipe about one image and draw its answer.

    python tools/infer.py CONFIG CHECKPOINT IMAGE --prompt "..." [--task ...]
        [--cfg-options data_root=... pretrained_root=...]

``--task`` builds the prompt in the recipe's own template from the task's
fields (``hoi``: ``--subject-box`` / ``--object-box`` / ``--object-name``;
``grounding``: the prompt is the expression; ``vqa``: the question;
``caption``: none); without it, ``--prompt`` is the text as the model reads
it. CHECKPOINT ``none`` runs the weights the config builds (a pretrained
VLM, zero-shot). Prints the answer and writes ``{image stem}.png`` (predicted
boxes in red over the ``--gt-box`` boxes in green) and ``{image stem}.json``
into ``--out-dir`` (default ``work_dirs/infer``); never onto the input image,
and another input of the same stem gets ``{stem}_2`` & co. ``--cfg-options``
overrides config keys as in ``tools/train.py`` (a recipe trained on your own
folders).
"""

import argparse
import json
import os
import os.path as osp

from vltoolkit.utils.cli import add_cfg_options


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Run a recipe on one image')
    p.add_argument('config')
    p.add_argument('checkpoint', help="checkpoint of the recipe, or 'none'")
    p.add_argument('image')
    p.add_argument('--prompt', help='the prompt (or the task field: expression, question)')
    p.add_argument('--task', choices=['hoi', 'hoi_loc', 'grounding', 'vqa', 'caption'])
    p.add_argument('--subject-box', type=float, nargs=4, metavar=('X1', 'Y1', 'X2', 'Y2'))
    p.add_argument('--object-box', type=float, nargs=4, metavar=('X1', 'Y1', 'X2', 'Y2'))
    p.add_argument('--object-name')
    p.add_argument(
        '--gt-box',
        type=float,
        nargs=4,
        action='append',
        default=[],
        metavar=('X1', 'Y1', 'X2', 'Y2'),
        help='ground truth to draw (repeatable)',
    )
    p.add_argument('--out-dir', default=osp.join('work_dirs', 'infer'))
    p.add_argument('--device', help='cpu, cuda, cuda:1 (default: cuda if available)')
    add_cfg_options(p)
    return p.parse_args(argv)


def build_input(args) -> dict:
    from vltoolkit.apis import task_inputs as ti

    if args.task is None:
        if not args.prompt:
            raise SystemExit(
                'give --prompt "..." (the text as the model reads it) or a --task with its fields'
            )
        return dict(image=args.image, prompt=args.prompt)
    if args.task in ('hoi', 'hoi_loc'):
        if args.subject_box is None:
            raise SystemExit(f'--task {args.task} needs --subject-box X1 Y1 X2 Y2')
        if args.task == 'hoi_loc':
            if not args.prompt:
                raise SystemExit('--task hoi_loc needs --prompt RELATION (e.g. "hold")')
            return ti.hoi_localization_input(args.image, args.subject_box, args.prompt)
        return ti.hoi_input(args.image, args.subject_box, args.object_box, args.object_name)
    if args.task == 'caption':
        return ti.caption_input(args.image)
    if not args.prompt:
        field = 'expression' if args.task == 'grounding' else 'question'
        raise SystemExit(f'--task {args.task} needs --prompt (the {field})')
    if args.task == 'grounding':
        return ti.grounding_input(args.image, args.prompt)
    return ti.vqa_input(args.image, args.prompt)


def print_answer(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title='Answer', show_header=False)
    table.add_row('prompt', str(result['prompt']))
    table.add_row('answer', str(result['text']))
    for box in result['boxes']:
        table.add_row('box', f"{box['phrase'] or '-'}: {box['box']}")
    if result['relations'] is not None:
        table.add_row('relations', ', '.join(result['relations']) or '(none)')
    Console().print(table)


def main(argv=None):
    args = parse_args(argv)
    from vltoolkit.apis import VLInferencer, read_image
    from vltoolkit.registry import VISUALIZERS
    from vltoolkit.utils.output_paths import infer_output_stem

    stem = infer_output_stem(args.image, args.out_dir)  # never onto the input or another's
    checkpoint = None if args.checkpoint.lower() == 'none' else args.checkpoint
    inferencer = VLInferencer(
        args.config, checkpoint, device=args.device, cfg_options=args.cfg_options
    )
    result = inferencer([build_input(args)])[0]
    print_answer(result)
    os.makedirs(args.out_dir, exist_ok=True)
    image, _ = read_image(args.image)
    visualizer = VISUALIZERS.build(dict(type='VLVisualizer', name='infer'))
    visualizer.add_datasample(
        'infer',
        image,
        dict(prompt=result['prompt'], pred_text=result['text']),
        out_file=stem + '.png',
        gt_boxes=args.gt_box or None,
        pred_boxes=result['boxes'],
    )
    with open(stem + '.json', 'w') as f:
        json.dump(dict(result, image=args.image, gt_boxes=args.gt_box), f, indent=2)
    print(f'wrote {stem}.png and {stem}.json')
    return result


if __name__ == '__main__':
    main()
