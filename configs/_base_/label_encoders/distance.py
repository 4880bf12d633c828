# Distance-inverse labels over the location tokens: target j of token i has
# weight (1 + d(i, j) / scale)^-power within `window`, normalised; other
# tokens keep one-hot targets (vltoolkit/label_encoders/distance.py).
label_encoder = dict(
    type='DistanceLabelEncoder', tokenizer='${tokenizer}', power=2.0, scale=1.0, window=4, mix=0.0
)
