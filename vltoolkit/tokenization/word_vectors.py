"""Pre-trained word vectors (word2vec format): the text input of MCN.

MCN (and AVLnet / HowTo100M before it) reads a caption as the GoogleNews
word2vec vectors (300-d) of its words: ``re.findall(r"[\\w']+", caption)``,
out-of-vocabulary words dropped, at most ``max_words`` kept. The vectors are a
local file (nothing is downloaded) in one of these formats:

* ``.bin``: word2vec binary (``GoogleNews-vectors-negative300.bin``): a
  header line ``"<count> <dim>"``, then per word ``b"<word> "`` followed by
  ``dim`` little-endian float32;
* ``.txt`` / ``.vec``: word2vec text, one ``word v1 ... vD`` per line, with
  or without the ``"<count> <dim>"`` header line;
* ``.npz``: arrays ``words`` (str, [N]) and ``vectors`` (float, [N, D]).

The 3M-word GoogleNews file takes minutes and ~4 GB to load in full; cut it
to your corpus' vocabulary once (``WordVectors.save_npz``) for fast starts.
"""

import os.path as osp
import re
import threading
from typing import Dict, List, Sequence, Tuple

import numpy as np

__all__ = ['WordVectors', 'tokenize_words', 'get_word_vectors']

_WORD_RE = re.compile(r"[\w']+")


def tokenize_words(text: str, lowercase: bool = False) -> List[str]:
    """MCN's tokenizer: the ``[\\w']+`` runs of ``text``.

    Example:
        >>> tokenize_words("Add the cook's salt, then stir!")
        ['Add', 'the', "cook's", 'salt', 'then', 'stir']
    """
    text = str(text)
    return _WORD_RE.findall(text.lower() if lowercase else text)


class WordVectors:
    """A word -> vector table.

    Args:
        words (Sequence[str]): the vocabulary.
        vectors (np.ndarray): ``[len(words), dim]`` float32.

    Example:
        >>> wv = WordVectors(['salt', 'stir'], np.eye(2, dtype=np.float32))
        >>> vecs = wv.encode('stir the salt', max_words=4)
        >>> vecs.tolist()
        [[0.0, 1.0], [1.0, 0.0]]
    """

    def __init__(self, words: Sequence[str], vectors: np.ndarray, path: str = '<memory>'):
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(words):
            raise ValueError(
                f'word vectors {path}: {len(words)} words but vectors of shape {vectors.shape}'
            )
        self.index: Dict[str, int] = {w: i for i, w in enumerate(words)}
        self.vectors = vectors
        self.path = path

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def encode(self, text: str, max_words: int = 20, lowercase: bool = False) -> np.ndarray:
        """``[n, dim]`` vectors of the known words of ``text`` in order,
        ``n <= max_words`` (``n = 0`` when no word is known)."""
        ids = [self.index[w] for w in tokenize_words(text, lowercase) if w in self.index][
            :max_words
        ]
        return self.vectors[ids]

    def save_npz(self, path: str, keep_words=None) -> None:
        """Save (the ``keep_words`` subset of) the table as ``.npz``."""
        words = list(self.index)
        if keep_words is not None:
            keep = set(keep_words)
            words = [w for w in words if w in keep]
        np.savez(path, words=np.array(words), vectors=self.vectors[[self.index[w] for w in words]])

    @classmethod
    def load(cls, path: str) -> 'WordVectors':
        """Read a ``.bin`` / ``.txt`` / ``.vec`` / ``.npz`` file (see the
        module docstring); errors name the file and the line or word."""
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'word vectors {path} do not exist: give the GoogleNews '
                'word2vec file (GoogleNews-vectors-negative300.bin) or a cut '
                'of it, or generate the toy set with '
                '`python tools/data/make_toy.py mcn` (docs/retrieval.md)'
            )
        ext = osp.splitext(path)[1].lower()
        if ext == '.npz':
            with np.load(path, allow_pickle=False) as data:
                if 'words' not in data or 'vectors' not in data:
                    raise ValueError(
                        f'word vectors {path}: an .npz needs the '
                        f'arrays words and vectors, has {list(data)}'
                    )
                return cls([str(w) for w in data['words']], data['vectors'], path)
        if ext == '.bin':
            return cls(*_read_word2vec_bin(path), path)
        return cls(*_read_word2vec_text(path), path)


def _read_word2vec_text(path: str) -> Tuple[List[str], np.ndarray]:
    words, rows, dim = [], [], None
    with open(path, encoding='utf-8', errors='replace') as f:
        for lineno, line in enumerate(f, 1):
            parts = line.rstrip('\n').rstrip().split(' ')
            if lineno == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
                dim = int(parts[1])
                continue
            if not parts or parts == ['']:
                continue
            if dim is None:
                dim = len(parts) - 1
            if len(parts) - 1 != dim:
                raise ValueError(
                    f'word vectors {path}, line {lineno}: {len(parts) - 1} values, expected {dim}'
                )
            words.append(parts[0])
            rows.append(np.asarray(parts[1:], dtype=np.float32))
    if not rows:
        raise ValueError(f'word vectors {path} hold no vector')
    return words, np.stack(rows)


def _read_word2vec_bin(path: str) -> Tuple[List[str], np.ndarray]:
    with open(path, 'rb') as f:
        header = f.readline().split()
        if len(header) != 2:
            raise ValueError(
                f'word vectors {path}: the binary word2vec header '
                f'must be "<count> <dim>", got {header!r}'
            )
        count, dim = int(header[0]), int(header[1])
        words, vectors = [], np.empty((count, dim), dtype=np.float32)
        for i in range(count):
            word = bytearray()
            while True:
                ch = f.read(1)
                if ch == b'':
                    raise ValueError(f'word vectors {path}: truncated at word {i} of {count}')
                if ch == b' ':
                    break
                if ch != b'\n':
                    word += ch
            raw = f.read(4 * dim)
            if len(raw) != 4 * dim:
                raise ValueError(
                    f'word vectors {path}: truncated in the '
                    f'vector of word {i} ({word.decode(errors="replace")!r})'
                )
            words.append(word.decode('utf-8', errors='replace'))
            vectors[i] = np.frombuffer(raw, dtype='<f4')
    return words, vectors


_CACHE: Dict[str, WordVectors] = {}
_LOCK = threading.Lock()


def get_word_vectors(path: str) -> WordVectors:
    """:meth:`WordVectors.load` once per path and process."""
    key = osp.abspath(path)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = WordVectors.load(path)
        return _CACHE[key]
