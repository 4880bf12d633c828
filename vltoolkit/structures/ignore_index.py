"""The target id that marks a position the loss ignores."""

#: Target id of ignored positions (padding, prompt tokens): what
#: ``torch.nn.functional.cross_entropy`` and transformers ignore by default.
#: Collate pads ``labels`` with it, label encoders give its rows zero mass,
#: the losses and the token counts skip it.
IGNORE_INDEX = -100
