# Stage 1 of 2: the added location tokens learn their rows first. Only the new rows of the
# embeddings and the LM head train (added_tokens.train_new_rows_only; no weight decay,
# which would move the frozen rows), 2 epochs. Stage 2:
# qwen2.5-vl-3b_loctokens_gem_distlabel_2stage_toy.py starts from its last checkpoint.
_base_ = ['./qwen2.5-vl-3b_loctokens_gem_distlabel_toy.py']
model = dict(added_tokens=dict(train_new_rows_only=True), lora=None)
optim_wrapper = dict(optimizer=dict(weight_decay=0.0))
train_cfg = dict(max_epochs=2, val_interval=2)
checkpoint_interval = 2
