# Token cross-entropy + 0.3 x the Number Token Loss (Wasserstein; Zausinger et al.,
# ICML 2025) at the digits of box coordinates (vltoolkit/losses/number_token_loss.py).
loss = dict(
    type='NumberTokenLoss',
    tokenizer='${tokenizer}',
    variant='was',
    reweigh=False,
    ntl_weight=0.3,
    base_loss=dict(type='TokenCrossEntropyLoss'),
)
