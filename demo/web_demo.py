"""A local web demo: pick a recipe, upload an image, ask, see the boxes.

    python demo/web_demo.py --recipe CONFIG CHECKPOINT [--recipe CONFIG2 none] [--port 7860]
        [--cfg-options data_root=... pretrained_root=...]

CHECKPOINT ``none`` runs the weights the config builds (a pretrained VLM,
zero-shot). ``--cfg-options`` overrides keys of every recipe, as in
``tools/train.py``. Needs gradio (``pip install gradio``, an optional extra). It
listens on 127.0.0.1 only, unless ``--host 0.0.0.0`` says otherwise.
Uploads are capped (``--max-upload-mb``, default 20) and an image above the
pixel cap is refused from its header before it is decoded; both show a
readable error in the page.
The answer function is also an API endpoint (``/predict``) for
``gradio_client``.
"""

import argparse
import os.path as osp

from vltoolkit.utils.cli import add_cfg_options

TASKS = ('prompt', 'hoi', 'hoi_loc', 'grounding', 'vqa', 'caption')
MAX_UPLOAD_MB = 20


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='vltoolkit local web demo')
    p.add_argument(
        '--recipe',
        nargs=2,
        action='append',
        required=True,
        metavar=('CONFIG', 'CHECKPOINT'),
        help="repeatable; CHECKPOINT may be 'none'",
    )
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--port', type=int, default=7860)
    p.add_argument('--device')
    p.add_argument(
        '--max-upload-mb',
        type=float,
        default=MAX_UPLOAD_MB,
        help=f'largest upload accepted (default {MAX_UPLOAD_MB} MB); images above the pixel '
        'cap (VLT_MAX_IMAGE_PIXELS, default 8192x8192) are refused before decoding',
    )
    add_cfg_options(p)
    return p.parse_args(argv)


def _box(text: str, what: str):
    try:
        values = [float(v) for v in text.replace(',', ' ').split()]
    except ValueError:
        values = []
    if len(values) != 4:
        raise ValueError(f'{what}: write 4 numbers x1 y1 x2 y2, got {text!r}')
    return values


def make_input(
    image,
    task: str,
    prompt: str,
    subject_box: str = '',
    object_box: str = '',
    object_name: str = '',
) -> dict:
    """The inferencer input of one demo request (see ``vltoolkit.apis.task_inputs``)."""
    from vltoolkit.apis import task_inputs as ti

    if image is None:
        raise ValueError('upload an image first')
    if task == 'prompt':
        if not prompt:
            raise ValueError('type a prompt')
        return dict(image=image, prompt=prompt)
    if task == 'hoi':
        obj = _box(object_box, 'object box') if object_box.strip() else None
        return ti.hoi_input(
            image,
            _box(subject_box, 'subject box'),
            obj,
            (object_name or None) if obj is not None else None,
        )
    if task == 'hoi_loc':
        if not prompt:
            raise ValueError('task hoi_loc: type the relation (e.g. hold) as the prompt')
        return ti.hoi_localization_input(image, _box(subject_box, 'subject box'), prompt)
    if task == 'caption':
        return ti.caption_input(image)
    if not prompt:
        raise ValueError(
            f'task {task}: type the {"expression" if task == "grounding" else "question"}'
        )
    return (ti.grounding_input if task == 'grounding' else ti.vqa_input)(image, prompt)


class DemoBackend:
    """Inferencers per recipe, built on first use; :meth:`answer` is what
    the page (and the API) calls."""

    def __init__(self, recipes, device=None, cfg_options=None):
        self.recipes = {self.name(cfg, ckpt): (cfg, ckpt) for cfg, ckpt in recipes}
        self.device = device
        self.cfg_options = cfg_options
        self._built = {}

    @staticmethod
    def name(config: str, checkpoint: str) -> str:
        stem = osp.splitext(osp.basename(config))[0]
        return f'{stem} ({osp.basename(checkpoint)})'

    def inferencer(self, recipe: str):
        from vltoolkit.apis import VLInferencer

        if recipe not in self.recipes:
            raise ValueError(f'unknown recipe {recipe!r}; choose one of {list(self.recipes)}')
        if recipe not in self._built:
            cfg, ckpt = self.recipes[recipe]
            self._built[recipe] = VLInferencer(
                cfg,
                None if ckpt.lower() == 'none' else ckpt,
                device=self.device,
                cfg_options=self.cfg_options,
            )
        return self._built[recipe]

    def answer(self, recipe, image, task, prompt, subject_box='', object_box='', object_name=''):
        from vltoolkit.apis import read_image
        from vltoolkit.registry import VISUALIZERS

        if isinstance(image, str):  # an upload's path: pixel cap from the header, then decode
            image, _ = read_image(image, where='the uploaded image')
        result = self.inferencer(recipe)(
            [make_input(image, task, prompt, subject_box, object_box, object_name)]
        )[0]
        visualizer = VISUALIZERS.build(dict(type='VLVisualizer', name='web_demo'))
        gt = None
        if task == 'hoi_loc':
            gt = [_box(subject_box, 'subject box')]
        if task == 'hoi':
            gt = [_box(subject_box, 'subject box')] + (
                [_box(object_box, 'object box')] if object_box.strip() else []
            )
        drawn = visualizer.add_datasample(
            'demo',
            image,
            dict(prompt=result['prompt'], pred_text=result['text']),
            gt_boxes=gt,
            pred_boxes=result['boxes'],
        )
        return drawn, result


def build_demo(backend: DemoBackend):
    import gradio as gr

    def run(recipe, image, task, prompt, subject_box, object_box, object_name):
        try:
            return backend.answer(recipe, image, task, prompt, subject_box, object_box, object_name)
        except (ValueError, FileNotFoundError, KeyError) as err:
            raise gr.Error(str(err))

    names = list(backend.recipes)
    with gr.Blocks(title='vltoolkit demo') as demo:
        gr.Markdown(
            '# vltoolkit: ask a recipe about an image\nGreen: boxes you gave; '
            'red: boxes in the answer.'
        )
        with gr.Row():
            with gr.Column():
                with gr.Row():
                    recipe = gr.Dropdown(names, value=names[0], label='recipe')
                    task = gr.Dropdown(list(TASKS), value='prompt', label='task')
                with gr.Row(equal_height=True):  # Ask next to the input: above the fold
                    prompt = gr.Textbox(
                        label='prompt / expression / question / (hoi_loc) relation', scale=4
                    )
                    button = gr.Button('Ask', variant='primary', scale=1)
                # a path, not pixels: gradio reads only the header, we decode after the cap
                image = gr.Image(type='filepath', image_mode=None, label='image', height=320)
                with gr.Row():
                    subject_box = gr.Textbox(label='HOI subject box x1 y1 x2 y2')
                    object_box = gr.Textbox(label='HOI object box x1 y1 x2 y2')
                object_name = gr.Textbox(label='HOI object name')
            with gr.Column():
                drawn = gr.Image(type='numpy', label='answer')
                answer = gr.JSON(label='result')
        button.click(
            run,
            [recipe, image, task, prompt, subject_box, object_box, object_name],
            [drawn, answer],
            api_name='predict',
        )
    return demo


def main(argv=None):
    args = parse_args(argv)
    try:
        import gradio  # noqa: F401
    except ImportError:
        raise SystemExit(
            'the web demo needs gradio: pip install gradio '
            '(an optional extra, see requirements/optional.txt)'
        )
    demo = build_demo(DemoBackend(args.recipe, args.device, args.cfg_options))
    print(f'serving on http://{args.host}:{args.port} (local only unless --host says otherwise)')
    demo.launch(
        server_name=args.host,
        server_port=args.port,
        share=False,
        max_file_size=int(args.max_upload_mb * 2**20),  # gradio refuses larger uploads
    )


if __name__ == '__main__':
    main()
