"""Build the VQA answer vocabulary from annotation files.

``python tools/data/build_vqa_answers.py --ann-files A.json [B.json ...]
--out answers.json [--top-k 3129 | --min-count 9] [--field answers]``

Counts the normalised ``multiple_choice_answer`` of every question (or all
ten annotator answers with ``--field answers``), keeps the ``--top-k`` most
frequent (ties: the earlier seen) of those seen ``--min-count`` times, and
writes them in first-seen order as a JSON list beside the data; its index is
the label that ``VQAv2Dataset`` targets and ``VQAAccuracy`` reads. ViLT's
3129 answers: train + val with ``--min-count 9`` (MCAN's answer_dict.json has
the same answers in the same order). It then reports how many annotator
answers and questions the vocabulary covers.
"""

import argparse
import sys

from rich.console import Console
from rich.table import Table

from vltoolkit.datasets.vqa_answers import (
    build_answer_vocab,
    read_annotations,
    save_answer_list,
    soft_targets,
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--ann-files', nargs='+', required=True, help='official VQA annotation JSON files'
    )
    parser.add_argument('--out', required=True, help='output JSON list')
    parser.add_argument(
        '--top-k', type=int, default=None, help='keep the K most frequent answers (e.g. 3129)'
    )
    parser.add_argument(
        '--min-count', type=int, default=1, help='keep answers seen at least this often (ViLT: 9)'
    )
    parser.add_argument(
        '--field', default='multiple_choice_answer', choices=['multiple_choice_answer', 'answers']
    )
    parser.add_argument(
        '--raw', action='store_true', help='do not normalise the answers (not recommended)'
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    console = Console(stderr=True)
    anns = []
    for path in args.ann_files:
        anns += read_annotations(path)
    answers = build_answer_vocab(
        anns, top_k=args.top_k, min_count=args.min_count, field=args.field, normalize=not args.raw
    )
    save_answer_list(answers, args.out)
    index = {a: i for i, a in enumerate(answers)}
    total = missing = no_label = 0
    for ann in anns:
        raw = [a['answer'] for a in ann['answers']]
        labels, _, miss = soft_targets(raw, index, normalize=not args.raw)
        total += len(raw)
        missing += miss
        no_label += not labels
    table = Table(title=f'{len(answers)} answers -> {args.out}')
    table.add_column('count')
    table.add_column('value', justify='right')
    table.add_row('questions', str(len(anns)))
    table.add_row(
        'annotator answers in the vocabulary',
        f'{total - missing} / {total} ({100 * (total - missing) / max(total, 1):.2f}%)',
    )
    table.add_row('questions without any answer in it', str(no_label))
    console.print(table)
    return 0


if __name__ == '__main__':
    sys.exit(main())
