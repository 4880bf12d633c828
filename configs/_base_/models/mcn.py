# MCN (Chen et al., ICCV 2021) at the paper's size: 4096-d video (2D+3D),
# ResDAVEnet audio over 40 log-mel bins, 300-d word2vec text, a 6144-d joint
# space, 256 online k-means clusters over a 40,960-vector queue refitted every
# 20 iterations, reconstruction weight 50 (docs/retrieval.md).
model = dict(
    type='MCN',
    embed_dim=6144,
    encoders=dict(
        video=dict(type='VideoFeatureEncoder', in_dim=4096),
        audio=dict(
            type='DAVEnetAudioEncoder',
            n_mels=40,
            channels=(128, 256, 512, 1024),
            blocks_per_stage=2,
            kernel=9,
        ),
        text=dict(type='SentenceMaxpoolEncoder', we_dim=300),
    ),
    contrastive_loss=dict(type='MMSLoss', margin=0.001),
    cluster_loss=dict(type='ClusterContrastLoss', margin=0.001, loss_weight=1.0),
    reconstruction_loss=dict(type='FeatureReconstructionLoss', loss_weight=50.0),
    kmeans=dict(num_clusters=256, queue_size=40960, refit_interval=20),
    recon_hidden=1024,
    data_preprocessor=dict(type='BaseDataPreprocessor'),
)
# stages leave encoders unused in some iterations
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
