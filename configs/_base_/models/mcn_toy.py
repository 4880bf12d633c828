# CPU-sized MCN for the synthetic features of tools/data/make_toy.py mcn
# (32+32-d video, 40 mel bins, 32-d word vectors): a 64-d joint space, a
# 2-stage audio CNN, 12 clusters over a 256-vector queue.
_base_ = ['./mcn.py']

model = dict(
    embed_dim=64,
    encoders=dict(
        video=dict(in_dim=64),
        audio=dict(channels=(32, 64), blocks_per_stage=1),
        text=dict(we_dim=32),
    ),
    # MCN's weight 50 suits 4096-d L2-normalised features (tiny per-dim MSE);
    # the toy audio CNN output is O(1) per dim, so 50 would drown the contrast
    reconstruction_loss=dict(loss_weight=1.0),
    kmeans=dict(num_clusters=12, queue_size=256, refit_interval=4),
    recon_hidden=64,
)
