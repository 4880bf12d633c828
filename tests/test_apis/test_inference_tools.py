"""tools/infer.py, test.py --show-dir, browse_dataset.py, analyze_results.py
and the web demo, on the toy HOI recipe: each writes decodable pictures."""

import json
import re
import socket

import mmcv
import pytest

from tests.conftest import ROOT

from .conftest import SMALL, TOY_CFG, run_tool

pytestmark = pytest.mark.slow


def _pngs(folder):
    files = sorted(folder.glob('*.png'))
    for f in files:
        img = mmcv.imread(str(f))
        assert img is not None and img.size > 0, f
    return files


def test_infer_prints_and_draws(trained_toy):
    workdir, ckpt = trained_toy[:2]
    image = workdir / 'data' / 'toy_hoi' / 'images' / 'test' / '000000.png'
    proc = run_tool(
        [
            'infer.py',
            TOY_CFG,
            str(ckpt),
            str(image),
            '--task',
            'hoi',
            '--subject-box',
            '26',
            '20',
            '38',
            '60',
            '--object-box',
            '35',
            '21',
            '41',
            '30',
            '--object-name',
            'cup',
            '--gt-box',
            '35',
            '21',
            '41',
            '30',
            '--out-dir',
            'work_dirs/infer_cli',
            '--cfg-options',  # a recipe trained on one's own folders
            f'data_root={workdir / "data" / "toy_hoi"}',
            'pretrained_root=checkpoints',
        ],
        workdir,
    )
    assert 'Answer' in proc.stdout and 'relations' in proc.stdout
    out = workdir / 'work_dirs' / 'infer_cli'
    assert [p.name for p in _pngs(out)] == ['000000.png']
    result = json.loads((out / '000000.json').read_text())
    assert result['prompt'].startswith('What is the interaction between person<loc_')
    assert isinstance(result['relations'], list) and result['gt_boxes'] == [[35, 21, 41, 30]]
    bad = run_tool(
        ['infer.py', TOY_CFG, str(ckpt), str(image), '--task', 'hoi'], workdir, check=False
    )
    assert bad.returncode != 0 and '--subject-box' in bad.stderr + bad.stdout


def test_infer_never_overwrites_its_input_or_another_output(trained_toy):
    """Issue 22, part 8: --out-dir onto the image's folder is refused;
    two images with one stem keep separate outputs."""
    import shutil

    workdir, ckpt = trained_toy[:2]
    src = workdir / 'data' / 'toy_hoi' / 'images' / 'test' / '000000.png'
    for sub in ('a', 'b'):
        (workdir / 'same_stem' / sub).mkdir(parents=True, exist_ok=True)
        shutil.copy(src, workdir / 'same_stem' / sub / 'x.png')
    image_a = workdir / 'same_stem' / 'a' / 'x.png'
    before = image_a.read_bytes()
    args = [
        'infer.py',
        TOY_CFG,
        str(ckpt),
        '--task',
        'hoi',
        '--subject-box',
        '26',
        '20',
        '38',
        '60',
    ]
    onto = run_tool(args + ['--out-dir', str(image_a.parent), str(image_a)], workdir, check=False)
    assert onto.returncode != 0 and 'would overwrite the input image' in onto.stderr
    assert image_a.read_bytes() == before
    out = workdir / 'work_dirs' / 'same_stem_out'
    for sub in ('a', 'b'):
        run_tool(
            args + ['--out-dir', str(out), str(workdir / 'same_stem' / sub / 'x.png')], workdir
        )
    assert sorted(p.name for p in out.iterdir()) == ['x.json', 'x.png', 'x_2.json', 'x_2.png']
    assert json.loads((out / 'x_2.json').read_text())['image'].endswith('b/x.png')


def test_show_dir_draws_the_worst_samples(trained_toy):
    workdir, ckpt = trained_toy[:2]
    run_tool(
        [
            'test.py',
            TOY_CFG,
            str(ckpt),
            '--work-dir',
            'work_dirs/show',
            '--show-dir',
            'vis',
            '--max-show',
            '3',
            '--show-order',
            'worst',
            '--cfg-options',
            *SMALL,
        ],
        workdir,
    )
    assert len(_pngs(workdir / 'work_dirs' / 'show' / 'vis')) == 3


def test_browse_dataset(trained_toy):
    workdir = trained_toy[0]
    proc = run_tool(
        [
            'analysis/browse_dataset.py',
            TOY_CFG,
            '--split',
            'val',
            '-n',
            '5',
            '--out-dir',
            'work_dirs/browse',
        ],
        workdir,
    )
    assert 'wrote 5 pictures' in proc.stdout
    assert len(_pngs(workdir / 'work_dirs' / 'browse')) == 5


def test_analyze_results_matches_the_metric(trained_toy):
    workdir, ckpt, preds, test_log = trained_toy
    macro = float(re.findall(r'hoi/macro_f1: ([0-9.]+)', test_log)[-1])
    proc = run_tool(
        [
            'analysis/analyze_results.py',
            TOY_CFG,
            str(preds),
            '--out-dir',
            'work_dirs/analysis',
            '--worst',
            '4',
        ],
        workdir,
    )
    out = workdir / 'work_dirs' / 'analysis'
    summary = json.loads((out / 'summary.json').read_text())
    assert summary['macro_f1'] == pytest.approx(macro, abs=1e-3)
    names = {p.name for p in _pngs(out)}
    assert {'relations_prf.png', 'relation_confusion.png', 'iou_histogram.png'} <= names
    assert len(_pngs(out / 'worst')) == 4
    assert 'wrote the analysis' in proc.stdout


def test_web_demo_http_round_trip(trained_toy, monkeypatch):
    pytest.importorskip('gradio', reason='the web demo is an optional extra (pip install gradio)')
    from gradio_client import Client, handle_file

    workdir, ckpt = trained_toy[:2]
    monkeypatch.chdir(workdir)  # the toy recipe reads data/toy_hoi relative to the cwd
    import importlib.util

    spec = importlib.util.spec_from_file_location('web_demo', ROOT / 'demo' / 'web_demo.py')
    web_demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(web_demo)
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    backend = web_demo.DemoBackend([(TOY_CFG, str(ckpt))], 'cpu')
    demo = web_demo.build_demo(backend)
    demo.launch(server_name='127.0.0.1', server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        client = Client(f'http://127.0.0.1:{port}/', verbose=False)
        image = workdir / 'data' / 'toy_hoi' / 'images' / 'test' / '000000.png'
        drawn, result = client.predict(
            list(backend.recipes)[0],
            handle_file(str(image)),
            'hoi',
            '',
            '26 20 38 60',
            '35 21 41 30',
            'cup',
            api_name='/predict',
        )
        assert result['prompt'].startswith('What is the interaction between person')
        assert isinstance(result['relations'], list)
        assert mmcv.imread(drawn) is not None
        with pytest.raises(Exception, match='subject box'):
            client.predict(
                list(backend.recipes)[0],
                handle_file(str(image)),
                'hoi',
                '',
                'oops',
                '',
                '',
                api_name='/predict',
            )
    finally:
        demo.close()
