"""The docs site: strict build, sections in the nav, the API reference, and
a look at two pages in headless Chromium.

The site is built once per module (``mkdocs build --strict``, ~30 s on 2
busy cores). The API pages are generated from the source at build time
(``docs_hooks/api_reference.py``); here the registries of a running vltoolkit
check that the static scan missed no registered class.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytest.importorskip('mkdocs', reason='mkdocs is in requirements/tests.txt (make venv)')

SECTIONS = [
    'Get started',
    'User guides',
    'Recipes',
    'Tools',
    'Advanced',
    'Results',
    'API reference',
]
#: the classes the API reference must show, with their page
API_NAMES = {
    'GEMLoss': 'losses',
    'DistanceLabelEncoder': 'label_encoders',
    'MacroF1': 'metrics',
    'VLInferencer': 'vltoolkit.apis',
    'Florence2VLM': 'models',
    'PaliGemmaVLM': 'models',
    'Kosmos2VLM': 'models',
    'Qwen2_5VLVLM': 'models',
    'Qwen3VLVLM': 'models',
}
CHROMIUM_FLAGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
]


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp('site')
    proc = subprocess.run(
        [sys.executable, '-m', 'mkdocs', 'build', '--strict', '--site-dir', str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        # Material's end-of-life banner is not a build warning
        env=dict(os.environ, NO_MKDOCS_2_WARNING='1'),
    )
    assert proc.returncode == 0 and 'WARNING' not in proc.stderr, proc.stdout + proc.stderr
    return out


def _tabs(html: str) -> list:
    """The labels of the top-level tabs (Material's ``md-tabs`` nav)."""
    nav = re.search(r'<nav class="md-tabs".*?</nav>', html, re.S)
    assert nav, 'no tab bar: is the theme Material with navigation.tabs?'
    labels = re.findall(r'class="md-tabs__link[^"]*"[^>]*>\s*([^<]+?)\s*<', nav.group(0))
    return labels


def test_strict_build_has_every_page(site):
    """mkdocs.yml over docs/: a broken link, an anchor or a docstring that
    mkdocstrings cannot read fails the build (the fixture)."""
    assert (site / 'contributing' / 'index.html').is_file()
    assert (site / 'api' / 'index.html').is_file()


@pytest.mark.parametrize('page', ['index.html', 'api/losses/index.html'])
def test_pages_show_the_sections_in_order(site, page):
    html = (site / page).read_text()
    assert _tabs(html) == SECTIONS
    assert 'fonts.googleapis.com' not in html  # theme.font: false, offline


def test_index_is_structured(site):
    html = (site / 'index.html').read_text()
    body = html[html.index('<article') : html.index('</article>')]
    headings = re.findall(r'<h2 id="[^"]*">([^<]+)', body)
    assert headings[:1] == ['Quick start'] and set(SECTIONS) <= set(headings), headings
    assert body.count('<table>') >= 6


def test_api_reference_has_the_named_classes(site):
    for name, page in API_NAMES.items():
        html = (site / 'api' / page / 'index.html').read_text()
        assert re.search(rf'id="vltoolkit\.[\w.]*\.{name}"', html), (name, page)
    overview = (site / 'api' / 'index.html').read_text()
    for page in set(API_NAMES.values()):
        assert f'href="{page}/"' in overview, page


def test_every_registered_class_is_documented(site):
    """The registries as vltoolkit fills them at run time, against the pages
    the hook generated from the source."""
    from vltoolkit.registry import ALL_REGISTRIES

    html = '\n'.join(p.read_text() for p in (site / 'api').rglob('index.html'))
    missing = []
    for registry in ALL_REGISTRIES:
        registry.import_from_location()
        for name, obj in registry.module_dict.items():
            if not obj.__module__.startswith('vltoolkit'):
                continue
            if f'id="{obj.__module__}.{obj.__qualname__}"' not in html:
                missing.append(f'{registry.name}: {name} ({obj.__module__})')
    assert not missing, missing


def _chromium():
    return shutil.which('chromium') or shutil.which('chromium-browser')


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason='chromium not installed (apt-get install chromium)')
@pytest.mark.parametrize('page', ['index.html', 'api/losses/index.html'])
def test_pages_render_in_headless_chromium(site, page, tmp_path):
    """A screenshot at 1280 x 900: the page renders, with the theme's
    indigo header and tab bar (the CSS is local: no network)."""
    from PIL import Image

    shot = tmp_path / 'shot.png'
    proc = subprocess.run(
        [
            _chromium(),
            *CHROMIUM_FLAGS,
            f'--user-data-dir={tmp_path / "profile"}',
            '--window-size=1280,900',
            f'--screenshot={shot}',
            (site / page).as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.is_file(), proc.stderr[-2000:]
    keep = os.environ.get('VLT_SITE_SCREENSHOTS')  # a folder: keep them to look at
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / (page.replace('/', '_') + '.png'))
    img = Image.open(shot).convert('RGB')
    assert img.size == (1280, 900)
    # Material's indigo primary colour (#4051b5) fills the header and the tabs
    top = img.crop((0, 0, 1280, 90)).getcolors(1280 * 90)
    indigo = sum(n for n, (r, g, b) in top if abs(r - 0x40) < 12 and abs(g - 0x51) < 12 and b > 160)
    assert indigo > 0.5 * 1280 * 90, 'no indigo header: the theme CSS did not load'
    # the page body below is mostly white with text on it
    body = img.crop((0, 120, 1280, 900)).convert('L')
    assert body.getextrema()[0] < 100, 'no dark text in the page body'
