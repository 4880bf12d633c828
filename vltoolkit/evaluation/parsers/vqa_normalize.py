"""The answer normalisation of the official VQA evaluation.

Re-implements ``PythonEvaluationTools/vqaEvaluation/vqaEval.py`` of
GT-Vision-Lab/VQA (HEAD a013f00), rule for rule and quirk for quirk:

1. :func:`clean_whitespace`: ``\\n`` and ``\\t`` become a space, then
   ``strip()``. Always applied (prediction and ground truth).
2. :func:`process_punctuation`: each mark of :data:`PUNCTUATION` is deleted
   if it sits next to a space in the *original* string (``p + ' '`` or
   ``' ' + p``) or if the string contains ``digit,digit``; otherwise it
   becomes a space. Then a ``.`` not followed by a digit is removed, at most
   32 times (the official code passes ``re.UNICODE``, which is 32, as the
   ``count`` argument of ``re.sub``).
3. :func:`process_digit_article`: lower-case, split on whitespace, map
   number words ``none``/``zero`` ... ``ten`` to digits, drop the articles
   ``a``/``an``/``the``, expand the contraction table (``dont`` ->
   ``don't``; its capitalised keys such as ``Im`` can never match, since the
   words are already lower-cased), join with single spaces.

:func:`normalize_answer` is 1 + 2 + 3. The metric applies 2 and 3 only when
the 10 ground-truth answers of a question disagree (see
:class:`~vltoolkit.evaluation.VQAAccuracy`); the answer vocabulary of the
VQA datasets uses :func:`normalize_answer` (ViLT's ``normalize_word`` /
MCAN's ``prep_ans``).
"""

import re

__all__ = [
    'PUNCTUATION',
    'NUMBER_WORDS',
    'ARTICLES',
    'CONTRACTIONS',
    'clean_whitespace',
    'process_punctuation',
    'process_digit_article',
    'normalize_answer',
]

#: The marks handled by :func:`process_punctuation` (official order).
PUNCTUATION = (
    ';',
    '/',
    '[',
    ']',
    '"',
    '{',
    '}',
    '(',
    ')',
    '=',
    '+',
    '\\',
    '_',
    '-',
    '>',
    '<',
    '@',
    '`',
    ',',
    '?',
    '!',
)
#: Number words mapped to digits by :func:`process_digit_article`.
NUMBER_WORDS = {
    'none': '0',
    'zero': '0',
    'one': '1',
    'two': '2',
    'three': '3',
    'four': '4',
    'five': '5',
    'six': '6',
    'seven': '7',
    'eight': '8',
    'nine': '9',
    'ten': '10',
}
#: Words dropped by :func:`process_digit_article`.
ARTICLES = ('a', 'an', 'the')
#: The official contraction table (120 entries, keys as written there).
CONTRACTIONS = {
    "aint": "ain't",
    "arent": "aren't",
    "cant": "can't",
    "couldve": "could've",
    "couldnt": "couldn't",
    "couldn'tve": "couldn't've",
    "couldnt've": "couldn't've",
    "didnt": "didn't",
    "doesnt": "doesn't",
    "dont": "don't",
    "hadnt": "hadn't",
    "hadnt've": "hadn't've",
    "hadn'tve": "hadn't've",
    "hasnt": "hasn't",
    "havent": "haven't",
    "hed": "he'd",
    "hed've": "he'd've",
    "he'dve": "he'd've",
    "hes": "he's",
    "howd": "how'd",
    "howll": "how'll",
    "hows": "how's",
    "Id've": "I'd've",
    "I'dve": "I'd've",
    "Im": "I'm",
    "Ive": "I've",
    "isnt": "isn't",
    "itd": "it'd",
    "itd've": "it'd've",
    "it'dve": "it'd've",
    "itll": "it'll",
    "let's": "let's",
    "maam": "ma'am",
    "mightnt": "mightn't",
    "mightnt've": "mightn't've",
    "mightn'tve": "mightn't've",
    "mightve": "might've",
    "mustnt": "mustn't",
    "mustve": "must've",
    "neednt": "needn't",
    "notve": "not've",
    "oclock": "o'clock",
    "oughtnt": "oughtn't",
    "ow's'at": "'ow's'at",
    "'ows'at": "'ow's'at",
    "'ow'sat": "'ow's'at",
    "shant": "shan't",
    "shed've": "she'd've",
    "she'dve": "she'd've",
    "she's": "she's",
    "shouldve": "should've",
    "shouldnt": "shouldn't",
    "shouldnt've": "shouldn't've",
    "shouldn'tve": "shouldn't've",
    "somebody'd": "somebodyd",
    "somebodyd've": "somebody'd've",
    "somebody'dve": "somebody'd've",
    "somebodyll": "somebody'll",
    "somebodys": "somebody's",
    "someoned": "someone'd",
    "someoned've": "someone'd've",
    "someone'dve": "someone'd've",
    "someonell": "someone'll",
    "someones": "someone's",
    "somethingd": "something'd",
    "somethingd've": "something'd've",
    "something'dve": "something'd've",
    "somethingll": "something'll",
    "thats": "that's",
    "thered": "there'd",
    "thered've": "there'd've",
    "there'dve": "there'd've",
    "therere": "there're",
    "theres": "there's",
    "theyd": "they'd",
    "theyd've": "they'd've",
    "they'dve": "they'd've",
    "theyll": "they'll",
    "theyre": "they're",
    "theyve": "they've",
    "twas": "'twas",
    "wasnt": "wasn't",
    "wed've": "we'd've",
    "we'dve": "we'd've",
    "weve": "we've",
    "werent": "weren't",
    "whatll": "what'll",
    "whatre": "what're",
    "whats": "what's",
    "whatve": "what've",
    "whens": "when's",
    "whered": "where'd",
    "wheres": "where's",
    "whereve": "where've",
    "whod": "who'd",
    "whod've": "who'd've",
    "who'dve": "who'd've",
    "wholl": "who'll",
    "whos": "who's",
    "whove": "who've",
    "whyll": "why'll",
    "whyre": "why're",
    "whys": "why's",
    "wont": "won't",
    "wouldve": "would've",
    "wouldnt": "wouldn't",
    "wouldnt've": "wouldn't've",
    "wouldn'tve": "wouldn't've",
    "yall": "y'all",
    "yall'll": "y'all'll",
    "y'allll": "y'all'll",
    "yall'd've": "y'all'd've",
    "y'alld've": "y'all'd've",
    "y'all'dve": "y'all'd've",
    "youd": "you'd",
    "youd've": "you'd've",
    "you'dve": "you'd've",
    "youll": "you'll",
    "youre": "you're",
    "youve": "you've",
}

# the official regexes, verbatim: "(?!<=\d)" is a (no-op) negative
# lookahead, not the look-behind it was meant to be
_PERIOD_STRIP = re.compile(r'(?!<=\d)(\.)(?!\d)')
_COMMA_STRIP = re.compile(r'(\d)(\,)(\d)')
# re.sub's 4th positional argument is `count`: the official call
# `periodStrip.sub("", outText, re.UNICODE)` removes at most 32 periods
_OFFICIAL_PERIOD_COUNT = int(re.UNICODE)


def clean_whitespace(text: str) -> str:
    """``\\n`` and ``\\t`` -> space, then strip.

    Example:
        >>> clean_whitespace(' two\\tdogs\\n')
        'two dogs'
    """
    return text.replace('\n', ' ').replace('\t', ' ').strip()


def process_punctuation(text: str) -> str:
    """The official ``processPunctuation``.

    Example:
        >>> process_punctuation('yes!')      # '!' touches no space: a space
        'yes '
        >>> process_punctuation('hi , you')  # ',' touches a space: deleted
        'hi  you'
        >>> process_punctuation('1,000-ish') # digit,digit: every mark deleted
        '1000ish'
        >>> process_punctuation('e.g. 3.5')  # '.' not before a digit: deleted
        'eg 3.5'
    """
    out = text
    has_digit_comma = _COMMA_STRIP.search(text) is not None
    for p in PUNCTUATION:
        if (p + ' ' in text or ' ' + p in text) or has_digit_comma:
            out = out.replace(p, '')
        else:
            out = out.replace(p, ' ')
    return _PERIOD_STRIP.sub('', out, _OFFICIAL_PERIOD_COUNT)


def process_digit_article(text: str) -> str:
    """The official ``processDigitArticle``.

    Example:
        >>> process_digit_article('The Two  dogs')
        '2 dogs'
        >>> process_digit_article('dont know')
        "don't know"
    """
    words = []
    for word in text.lower().split():
        word = NUMBER_WORDS.get(word, word)
        if word not in ARTICLES:
            words.append(word)
    return ' '.join(CONTRACTIONS.get(w, w) for w in words)


def normalize_answer(text: str) -> str:
    """Whitespace, punctuation, then digits / articles / contractions.

    Example:
        >>> normalize_answer(' Two Dogs!\\n')
        '2 dogs'
        >>> normalize_answer('red & white')  # '&' is not an official mark
        'red & white'
    """
    return process_digit_article(process_punctuation(clean_whitespace(text)))
