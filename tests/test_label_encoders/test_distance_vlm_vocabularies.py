"""One-hot / distance labels on the pretrained VLMs' own vocabularies
(Florence-2's <loc_k>, PaliGemma's <loc%04d>), unchanged label encoders,
against a per-token reference loop."""

import pytest
import torch

from vltoolkit.label_encoders import DistanceLabelEncoder, OneHotLabelEncoder
from vltoolkit.models.pretrained_vlms.toy import build_toy_tokenizer
from vltoolkit.tokenization import VLTokenizer

CODERS = dict(florence2=dict(type='Florence2BoxCoder'), paligemma=dict(type='PaliGemmaBoxCoder'))


def reference_rows(ids, tok, power, scale, window, mix):
    """Row by row, token by token: the formula of DistanceLabelEncoder."""
    coder, vocab = tok.box_coder, len(tok)
    loc_ids = tok.location_token_ids.tolist()
    index_of = {t: k for k, t in enumerate(loc_ids)}
    rows = []
    for y in ids.tolist():
        row = [0.0] * vocab
        if y == -100:
            pass
        elif y not in index_of:
            row[y] = 1.0
        else:
            i = index_of[y]
            weights = []
            for j in range(coder.num_locations):
                d = abs(i - j)
                weights.append(
                    0.0 if window is not None and d > window else (1.0 + d / scale) ** -power
                )
            total = sum(weights)
            for j, w in enumerate(weights):
                row[loc_ids[j]] = (1 - mix) * w / total + mix * (i == j)
        rows.append(row)
    return torch.tensor(rows, dtype=torch.float64)


@pytest.mark.parametrize('family', list(CODERS))
@pytest.mark.parametrize(
    'power,scale,window,mix', [(1.0, 1.0, None, 0.0), (2.0, 1.0, 4, 0.0), (1.5, 3.0, 10, 0.2)]
)
def test_distance_labels_on_native_vocabulary(tmp_path, family, power, scale, window, mix):
    build_toy_tokenizer(family, ['a dog on the grass'], str(tmp_path))
    tok = VLTokenizer(str(tmp_path), box_coder=CODERS[family], add_location_tokens=False)
    encoder = DistanceLabelEncoder(tok, power=power, scale=scale, window=window, mix=mix)
    text = 'a dog ' + ''.join(tok.box_coder.encode([3.5, 10, 60, 62.25], (64, 64)))
    ids = torch.tensor(tok.encode(text) + [-100, -100])
    loc = tok.location_token_ids
    ids = torch.cat([ids, loc[torch.tensor([0, 1, len(loc) - 1, 500])]])
    got = encoder(ids, len(tok)).double()
    torch.testing.assert_close(
        got, reference_rows(ids, tok, power, scale, window, mix), rtol=0, atol=1e-6
    )
    onehot = OneHotLabelEncoder()(ids, len(tok))
    assert onehot[ids != -100].argmax(-1).tolist() == ids[ids != -100].tolist()
