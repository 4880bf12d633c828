# Fine-tuning a pretrained VLM (frozen vision tower; LoRA or the language
# model trained): AdamW lr 1e-4, 10 epochs, validation and a checkpoint each.
_base_ = ['./adamw_epochs.py']

optim_wrapper = dict(optimizer=dict(lr=1e-4))
train_cfg = dict(max_epochs=10, val_interval=1)
