# Token cross-entropy against the label encoder's targets.
loss = dict(type='TokenCrossEntropyLoss')
