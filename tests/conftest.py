"""Shared test set-up.

Sections: the session's environment (no network, one thread per xdist
worker), paths, helpers (``load_tool``, ``free_port``, ``run_once``), the
pytest-xdist grouping hook, and the tiny tokenizer / model shared by the
model and engine tests.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

# --- the session's environment (before anything imports torch or huggingface_hub)

# No network: huggingface_hub reads these once, at its import, so a hub name
# missing from the cache fails at once instead of waiting for a timeout. The
# tools the tests run as subprocesses inherit them.
for _name in ('HF_HUB_OFFLINE', 'TRANSFORMERS_OFFLINE', 'HF_DATASETS_OFFLINE'):
    os.environ.setdefault(_name, '1')
# Under pytest-xdist (`make test`: one worker per core) each worker computes on
# one thread: two workers on two cores, no oversubscription.
if os.environ.get('PYTEST_XDIST_WORKER'):
    os.environ['OMP_NUM_THREADS'] = '1'
    os.environ['MKL_NUM_THREADS'] = '1'

# --- paths

ROOT = Path(__file__).resolve().parents[1]
#: real annotation excerpts (tests/data/README.md says where each comes from)
FIXTURES = ROOT / 'tests' / 'data'


def load_tool(rel_path: str):
    """Import ``tools/<rel_path>`` as a module (tools are scripts, not a
    package; they import vltoolkit through the editable install)."""
    import importlib.util

    name = '_vltoolkit_tool_' + rel_path.replace('/', '_')[:-3]
    spec = importlib.util.spec_from_file_location(name, ROOT / 'tools' / rel_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_python_json(script: str, *args: str) -> dict:
    """Run ``python -c script *args`` in a fresh interpreter (one thread) and
    return the JSON object its last output line prints."""
    proc = subprocess.run(
        [sys.executable, '-c', script, *args],
        env=dict(os.environ, OMP_NUM_THREADS='1'),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def free_port() -> int:
    """A TCP port free right now (for torchrun's ``--master_port``): tests on
    two xdist workers never pick the same one."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run_once(tmp_path_factory, name, make):
    """``make()`` once per test session, its JSON result shared by every
    pytest-xdist worker: the first worker to ask runs it under a file lock,
    the others wait for it and read the result (toy data, a toy checkpoint)."""
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp()
    if os.environ.get('PYTEST_XDIST_WORKER'):
        root = root.parent  # the session's folder, above the workers' own
    stored = root / f'{name}.json'
    with FileLock(str(stored) + '.lock'):
        if not stored.is_file():
            stored.write_text(json.dumps(make()))
    return json.loads(stored.read_text())


# --- pytest-xdist: which tests share a worker, and in which order
#
# With `--dist loadgroup` (make test), a module where a test uses a module (or
# class) scoped fixture runs on one worker, in order, which builds the fixture
# once, and so do tests marked `@pytest.mark.xdist_group(name)`; every other
# test goes to whichever worker is free. The workers compute the groups at
# collection (fixture scopes are known only there) and write them to the file
# GROUPS_ENV names, which the controller's scheduler reads. (pytest-xdist's
# own loadgroup tags node ids, which pytest 9.2 no longer lets it do.)
#
# The work units go out longest first (the two workers then finish within a
# short test of each other): a unit's time is the sum of its tests' times in
# DURATIONS (measured; `--store-durations` rewrites it), else a guess from the
# `slow` mark.

GROUPS_ENV = 'VLT_TEST_XDIST_GROUPS'
#: seconds per test node id, measured on 2 cores under `make test` (tests >= 1 s)
DURATIONS = ROOT / 'tests' / 'durations.json'
#: the guess for a test DURATIONS does not list: slow-marked, other
GUESS_SLOW, GUESS_FAST = 20.0, 0.1


def pytest_addoption(parser):
    parser.addoption(
        '--store-durations',
        action='store_true',
        help=f'write the measured time of each test >= 1 s to {DURATIONS.relative_to(ROOT)} '
        '(the order in which pytest-xdist hands out the tests)',
    )


def pytest_configure(config):
    if getattr(config.option, 'numprocesses', None) and not os.environ.get('PYTEST_XDIST_WORKER'):
        import tempfile

        fd, path = tempfile.mkstemp(prefix='vlt-xdist-groups-', suffix='.json')
        os.close(fd)
        os.environ[GROUPS_ENV] = path  # the workers, started later, inherit it
        config.add_cleanup(lambda: os.path.exists(path) and os.remove(path))
    if config.getoption('store_durations') and not os.environ.get('PYTEST_XDIST_WORKER'):
        config.pluginmanager.register(_DurationStore(), 'vlt-store-durations')


class _DurationStore:
    """--store-durations (in the controller, or the one pytest process):
    each test's setup + call + teardown time, written to DURATIONS at the end."""

    def __init__(self):
        self.seconds = {}

    def pytest_runtest_logreport(self, report):
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + report.duration

    def pytest_sessionfinish(self):
        try:  # a run of some tests updates theirs
            kept = json.loads(DURATIONS.read_text())
        except (OSError, ValueError):
            kept = {}
        for nodeid, seconds in self.seconds.items():
            if seconds >= 1.0:
                kept[nodeid] = round(seconds, 1)
            else:
                kept.pop(nodeid, None)
        DURATIONS.write_text(json.dumps(dict(sorted(kept.items())), indent=0) + '\n')


def _shares_a_module_fixture(item):
    info = getattr(item, '_fixtureinfo', None)
    scopes = {
        fixturedef.scope
        for fixturedefs in (info.name2fixturedefs.values() if info else ())
        for fixturedef in fixturedefs
    }
    return bool(scopes & {'module', 'class', 'package'})


def _groups(items):
    """nodeid -> group: an explicit mark, else the module when any of its
    tests uses a module fixture (the whole module, in its order)."""
    shared = {item.nodeid.split('::')[0] for item in items if _shares_a_module_fixture(item)}
    groups = {}
    for item in items:
        mark = item.get_closest_marker('xdist_group')
        module = item.nodeid.split('::')[0]
        if mark:
            groups[item.nodeid] = str(mark.args[0] if mark.args else mark.kwargs.get('name'))
        elif module in shared:
            groups[item.nodeid] = module
    return groups


def _longest_units_first(items, groups):
    """``items`` reordered: the work units (a group, or one test) by their
    expected time, longest first; a unit's tests in their order."""
    try:
        measured = json.loads(DURATIONS.read_text())
    except (OSError, ValueError):
        measured = {}
    unit_time, first = {}, {}
    for i, item in enumerate(items):
        unit = groups.get(item.nodeid, item.nodeid)
        guess = GUESS_SLOW if item.get_closest_marker('slow') else GUESS_FAST
        unit_time[unit] = unit_time.get(unit, 0.0) + measured.get(item.nodeid, guess)
        first.setdefault(unit, i)
    order = {id(item): i for i, item in enumerate(items)}

    def key(item):
        unit = groups.get(item.nodeid, item.nodeid)
        return (-unit_time[unit], first[unit], order[id(item)])

    items.sort(key=key)


def pytest_collection_modifyitems(config, items):
    """Under xdist: the work units longest first (every worker sorts the
    same way; the scheduler keeps this order), and the first worker writes
    the groups."""
    worker = os.environ.get('PYTEST_XDIST_WORKER')
    if not worker:
        return
    groups = _groups(items)
    _longest_units_first(items, groups)
    if worker == 'gw0' and os.environ.get(GROUPS_ENV):
        tmp = os.environ[GROUPS_ENV] + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(groups, f)
        os.replace(tmp, os.environ[GROUPS_ENV])


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue('dist') != 'loadgroup':
        return None
    from xdist.scheduler import LoadScopeScheduling

    config.option.loadscopereorder = False  # the collection's order: longest units first

    class ConftestGroupScheduling(LoadScopeScheduling):
        """Tests of one group form one work unit; the others one each."""

        groups = None

        def _split_scope(self, nodeid):
            if self.groups is None:  # called once the workers have collected
                try:
                    with open(os.environ[GROUPS_ENV]) as f:
                        self.groups = json.load(f)
                except (OSError, ValueError):  # no groups written: one unit per test
                    self.groups = {}
            if nodeid.rfind('@') > nodeid.rfind(']'):  # tagged by xdist (pytest < 9.2)
                return nodeid.rsplit('@', 1)[1]
            return self.groups.get(nodeid, nodeid)

    return ConftestGroupScheduling(config, log)


@pytest.fixture(autouse=True)
def vltoolkit_scope():
    """Registry builds resolve in the vltoolkit scope, whatever scope a
    Runner built by an earlier test left as the current default."""
    from mmengine.registry import init_default_scope

    init_default_scope('vltoolkit')
    yield


# a tiny tokenizer + VisionSeq2Seq config shared by model / engine tests

BOX_CODER = dict(type='PatchIndexBoxCoder', num_patches_per_side=4, token_fmt='<loc_{}>')
TEXTS = [
    'what is the interaction between person and donut ?',
    'hold , eat',
    'look',
    'kick',
    'nothing',
    'cup',
    'drink with',
]


@pytest.fixture(scope='session')
def tiny_tokenizer_cfg(tmp_path_factory):
    from vltoolkit.tokenization import train_word_level_tokenizer

    out = tmp_path_factory.mktemp('tok')
    train_word_level_tokenizer(TEXTS, str(out), special_tokens=[f'<loc_{i}>' for i in range(16)])
    return dict(type='VLTokenizer', path=str(out), box_coder=BOX_CODER)


#: answers of a model that writes boxes as numbers (Qwen2.5-VL's JSON), for
#: the digit-level tests: the digit tokenizer is learnt from them
NUMBER_TEXTS = [
    '```json\n[{"bbox_2d": [12, 345, 67, 890], "label": "person 2"}]\n```',
    'Locate the person who does "ride" with the object 3 in the image.',
    'hello world 0123456789',
]


@pytest.fixture(scope='session')
def digit_tokenizer_cfg(tmp_path_factory):
    """A ``VLTokenizer`` config over a toy Qwen2.5-VL tokenizer (byte-level
    BPE that splits numbers into digits) with the Qwen2.5-VL box coder."""
    from vltoolkit.models.pretrained_vlms.toy import build_toy_tokenizer

    out = tmp_path_factory.mktemp('digit_tok')
    build_toy_tokenizer('qwen2_5_vl', NUMBER_TEXTS, str(out))
    return dict(
        type='VLTokenizer',
        path=str(out),
        box_coder=dict(type='Qwen2_5VLBoxCoder', fence=True),
        add_location_tokens=False,
    )


def tiny_model_cfg(tokenizer_cfg, **kw):
    cfg = dict(
        type='VisionSeq2Seq',
        vision_encoder=dict(
            type='TimmVisionEncoder',
            model_name='vit_tiny_patch16_224',
            img_size=32,
            patch_size=16,
            depth=1,
            embed_dim=32,
            num_heads=2,
        ),
        language_model=dict(
            config=dict(
                d_model=32,
                encoder_layers=1,
                decoder_layers=1,
                encoder_attention_heads=2,
                decoder_attention_heads=2,
                encoder_ffn_dim=64,
                decoder_ffn_dim=64,
                max_position_embeddings=64,
                dropout=0.0,
                attention_dropout=0.0,
            )
        ),
        tokenizer=tokenizer_cfg,
        generation_cfg=dict(max_new_tokens=8, num_beams=1),
    )
    cfg.update(kw)
    return cfg
