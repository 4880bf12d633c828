"""The train / test command line shared through vltoolkit.utils.cli."""

import argparse

import pytest

from vltoolkit.utils.cli import add_common_args


def _parse(argv, train=True):
    return add_common_args(argparse.ArgumentParser(), train=train).parse_args(argv)


def test_cfg_options_item_without_equals_is_refused_with_the_fix(capsys):
    with pytest.raises(SystemExit) as exc:
        _parse(['cfg.py', '--cfg-options', 'train_cfg.max_epochs', '2'])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "'train_cfg.max_epochs' has no \"=\"" in err
    assert 'key=value' in err


def test_test_parser_has_no_train_options():
    args = _parse(['cfg.py'], train=False)
    assert not hasattr(args, 'resume') and not hasattr(args, 'amp')
    assert not hasattr(args, 'strategy')
