# The synthetic VQA set (vltoolkit/datasets/toy/vqa_toy.py) in the official
# VQA v2 layout at 64 px: coloured shapes, colour / count / yes-no / position
# questions, 12 answers. Prepare (configs/vqa/README.md):
#   python tools/data/make_toy.py vqa --out data/toy_vqa
#   python tools/data/build_tokenizer.py configs/vqa/vilt_baseline_toy.py
_base_ = ['./vqa_v2.py']

data_root = 'data/toy_vqa'
num_answers = 12
img_scale = (64, 64)
interpolation = 'bilinear'


def toy_split(split):
    return dict(
        num_workers=0,
        persistent_workers=False,
        dataset=dict(
            question_file=f'annotations/questions_{split}.json',
            ann_file=f'annotations/annotations_{split}.json',
            img_name_fmt='{image_id:012d}.png',
            data_prefix=dict(img_path=f'images/{split}'),
        ),
    )


train_dataloader = toy_split('train')
val_dataloader = toy_split('val')
test_dataloader = val_dataloader
