import pytest

from vltoolkit.evaluation import RelationParser, normalize_phrase

PHRASES = {
    'hold_obj': 'hold',
    'eat_obj': 'eat',
    'eat_instr': 'eat with',
    'talk_on_phone_instr': 'talk on phone',
    'sit_instr': 'sit on',
    'stand': 'stand',
}


@pytest.fixture
def parser():
    return RelationParser(PHRASES)


@pytest.mark.parametrize(
    'text',
    [
        'hold,eat',
        'hold , eat',
        ' Hold,  EAT ',
        'eat, hold',
        'hold, eat, hold',
        'HOLD ,eat.',
        'hold\neat',
        'hold; eat',
        'hold and eat',
        'Hold_,eat!',
    ],
)
def test_spacing_order_case_duplicates(parser, text):
    assert parser.parse(text) == ({'hold_obj', 'eat_obj'}, 0)


def test_multi_word_phrases(parser):
    classes, n_unknown = parser.parse('talk on phone, eat with , EAT')
    assert classes == {'talk_on_phone_instr', 'eat_instr', 'eat_obj'}
    assert n_unknown == 0
    assert parser.parse('Talk  On\tPhone')[0] == {'talk_on_phone_instr'}
    assert parser.parse('talk_on_phone')[0] == {'talk_on_phone_instr'}
    # no substring matching: 'eat with' is not 'eat'
    assert parser.parse('eat with')[0] == {'eat_instr'}
    assert parser.parse('talk on')[0] == set()


def test_location_and_special_tokens(parser):
    text = '<loc_12><loc_300> hold <loc_7>, eat with</s><pad>'
    assert parser.parse(text) == ({'hold_obj', 'eat_instr'}, 0)
    assert parser.parse('<loc_1><loc_2><loc_3><loc_4>') == (set(), 0)
    # a token between words separates them, it does not glue them
    assert parser.parse('sit<loc_5>on') == ({'sit_instr'}, 0)


def test_unknown_segments_counted(parser):
    assert parser.parse('hold, fly, eat, swim') == ({'hold_obj', 'eat_obj'}, 2)
    assert parser.parse('hold eat') == (set(), 1)  # no separator
    assert parser.parse('holding') == (set(), 1)
    assert parser.parse('hold and fly') == ({'hold_obj'}, 1)


@pytest.mark.parametrize('text', [None, '', '   ', ',,, ;', '<pad></s>', '!!!???', ' . , .'])
def test_empty_text(parser, text):
    assert parser.parse(text) == (set(), 0)


@pytest.mark.parametrize('text', ['asdf qwer', '12345', 'the man', 'hold!!eat'])
def test_garbage(parser, text):
    classes, n_unknown = parser.parse(text)
    assert classes == set()
    assert n_unknown >= 1


def test_and_inside_a_phrase_is_kept():
    parser = RelationParser({'a': 'rock and roll', 'b': 'roll'})
    assert parser.parse('rock and roll') == ({'a'}, 0)
    assert parser.parse('roll, rock and roll') == ({'a', 'b'}, 0)


def test_callable_and_classes(parser):
    assert parser('stand') == ({'stand'}, 0)
    assert parser.classes == tuple(PHRASES)


def test_invalid_phrases():
    with pytest.raises(ValueError, match='unique'):
        RelationParser({'a': 'hold', 'b': ' HOLD '})
    with pytest.raises(ValueError, match='separator'):
        RelationParser({'a': 'hold, eat'})
    with pytest.raises(ValueError, match='empty'):
        RelationParser({'a': ' . '})
    with pytest.raises(ValueError):
        RelationParser({})


def test_normalize_phrase():
    assert normalize_phrase('  "Eat_With." ') == 'eat with'
