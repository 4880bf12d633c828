# One-hot targets: the target token ids.
label_encoder = dict(type='OneHotLabelEncoder')
