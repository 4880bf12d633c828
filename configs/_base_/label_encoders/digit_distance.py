# Distance-inverse labels over the ten digit tokens, at the digits of box coordinates
# (models that write numbers: Qwen2.5-VL / Qwen3-VL); every other token keeps its
# one-hot target (vltoolkit/label_encoders/digit_distance.py). The knobs of
# distance.py; place_weights: the soft share per digit place (units, tens, ...).
label_encoder = dict(
    type='DigitDistanceLabelEncoder',
    tokenizer='${tokenizer}',
    power=2.0,
    scale=1.0,
    window=4,
    mix=0.0,
    place_weights=(1.0,),
)
