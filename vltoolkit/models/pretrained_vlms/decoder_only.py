"""The prefix-LM layout shared by decoder-only VLMs."""

from collections import defaultdict

import torch

from vltoolkit.tokenization.number_places import NO_PLACE

from .base import IGNORE_INDEX, PretrainedVLM


class DecoderOnlyVLM(PretrainedVLM):
    """One sequence per sample, ``[prefix(image, prompt); answer; eos]``, the
    loss on the answer only.

    The data pipeline is the one of every recipe (``TokenizeText`` gives
    the prompt ids and the target ids); here each sample becomes

    * ``prefix`` = :meth:`prefix_ids` (the model's image placeholders and
      special tokens around the prompt, as its processor lays them out);
    * ``answer`` = the target ids without a leading BOS, ending with EOS
      (appended when the tokenizer does not write it).

    Position ``t`` of the logits predicts token ``t + 1``; the target row is
    -100 everywhere except at the positions that predict an answer token, so
    the prompt and the image tokens never enter the loss (nor its
    normalisation). Generation feeds the prefix alone; samples are grouped by
    prefix length so that no prefix is padded (no left-padding assumptions
    about the model's position ids), and the answer is what follows it.
    """

    def prefix_ids(self, prompt_ids: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        """The full prefix of one sample from its prompt ids (pads removed)
        and its image ``[C, H, W]`` (a family whose processor gives a
        variable number of image tokens counts them from the image)."""
        raise NotImplementedError

    def model_inputs(self, sequences, attention_mask, prefix_lengths, images):
        """kwargs of the transformers model for right-padded ``sequences``
        whose first ``prefix_lengths[i]`` ids are the prefix."""
        raise NotImplementedError

    # ----------------------------------------------------------- sequences
    def _prefixes(self, inputs):
        ids, mask = inputs['input_ids'], inputs['attention_mask']
        return [
            self.prefix_ids(row[m.bool()], image)
            for row, m, image in zip(ids, mask, inputs['images'])
        ]

    def _answers(self, labels, places=None):
        """The answer rows (no leading BOS, ending with EOS) and, with
        ``places``, the number places of their tokens (``NO_PLACE`` at an
        appended EOS)."""
        tok = self.tokenizer
        rows, place_rows = [], []
        for i, row in enumerate(labels):
            keep = row != IGNORE_INDEX
            row = row[keep]
            place = None if places is None else places[i][keep]
            if len(row) and tok.bos_token_id is not None and int(row[0]) == tok.bos_token_id:
                row = row[1:]
                place = None if place is None else place[1:]
            if not len(row) or int(row[-1]) != tok.eos_token_id:
                row = torch.cat([row, row.new_tensor([tok.eos_token_id])])
                place = None if place is None else torch.cat([place, place.new_tensor([NO_PLACE])])
            rows.append(row)
            place_rows.append(place)
        return rows if places is None else (rows, place_rows)

    def answer_ids_as_labels(self, labels):
        return self._pad_right(self._answers(labels), IGNORE_INDEX)

    def _logits_and_labels(self, inputs):
        logits, targets, _ = self._loss_inputs(inputs)
        return logits, targets

    def _loss_inputs(self, inputs):
        prefixes = self._prefixes(inputs)
        places = inputs.get('number_places')
        answers = self._answers(inputs['labels'], places)
        if places is not None:
            answers, answer_places = answers
        seqs = [torch.cat([p, a]) for p, a in zip(prefixes, answers)]
        pad = self.tokenizer.pad_token_id
        sequences = self._pad_right(seqs, pad)
        mask = self._pad_right([torch.ones_like(s) for s in seqs], 0)
        targets = torch.full_like(sequences, IGNORE_INDEX)
        target_places = None if places is None else torch.full_like(sequences, NO_PLACE)
        for i, (p, a) in enumerate(zip(prefixes, answers)):
            # logits at t predict token t + 1: the answer starts at len(p)
            targets[i, len(p) - 1 : len(p) - 1 + len(a)] = a
            if target_places is not None:
                target_places[i, len(p) - 1 : len(p) - 1 + len(a)] = answer_places[i]
        lengths = [len(p) for p in prefixes]
        kwargs = self.model_inputs(sequences, mask, lengths, inputs['images'])
        logits = self.lm_logits(self.hf_model, **kwargs, use_cache=False)
        return logits, targets, target_places

    def _generate(self, inputs):
        prefixes = self._prefixes(inputs)
        groups = defaultdict(list)
        for i, p in enumerate(prefixes):
            groups[len(p)].append(i)
        answers = [None] * len(prefixes)
        for length, idx in groups.items():
            seqs = torch.stack([prefixes[i] for i in idx])
            kwargs = self.model_inputs(
                seqs, torch.ones_like(seqs), [length] * len(idx), inputs['images'][idx]
            )
            out = self.hf_model.generate(**kwargs, generation_config=self.generation_config)
            for row, i in zip(out, idx):
                answers[i] = row[length:] if len(row) > length else row[:0]
        return self._pad_right(answers, self.tokenizer.pad_token_id)
