"""MiniLM-L6 (a 6-layer BERT) in plain torch, with the classifier's three heads.

Written out instead of importing ``transformers``: the architecture is 60 lines, the weights are read straight from
the official ``model.safetensors``, and the ONNX graph exported from it has exactly the two inputs the runtime feeds.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn

from powderkeg_extractor.classify.labels import CLASSES, FACTUALITY, FAMILIES

HIDDEN, LAYERS, HEADS, INTERMEDIATE, VOCAB, POSITIONS = 384, 6, 12, 1536, 30522, 512


class Layer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.query, self.key, self.value = (nn.Linear(HIDDEN, HIDDEN) for _ in range(3))
        self.attn_out = nn.Linear(HIDDEN, HIDDEN)
        self.attn_norm = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.inter = nn.Linear(HIDDEN, INTERMEDIATE)
        self.out = nn.Linear(INTERMEDIATE, HIDDEN)
        self.out_norm = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        d = HIDDEN // HEADS

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, HEADS, d).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + bias
        ctx = (self.dropout(scores.softmax(-1)) @ v).transpose(1, 2).reshape(b, t, HIDDEN)
        x = self.attn_norm(x + self.dropout(self.attn_out(ctx)))
        return self.out_norm(x + self.dropout(self.out(nn.functional.gelu(self.inter(x)))))


class SentenceModel(nn.Module):
    """Encoder, mean pooling (as all-MiniLM-L6-v2 was trained), dropout, and the class/factuality/family heads."""

    def __init__(self) -> None:
        super().__init__()
        self.word = nn.Embedding(VOCAB, HIDDEN)
        self.position = nn.Embedding(POSITIONS, HIDDEN)
        self.token_type = nn.Embedding(2, HIDDEN)
        self.emb_norm = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.layers = nn.ModuleList(Layer() for _ in range(LAYERS))
        self.dropout = nn.Dropout(0.1)
        self.classes = nn.Linear(HIDDEN, len(CLASSES))
        self.factuality = nn.Linear(HIDDEN, len(FACTUALITY))
        self.families = nn.Linear(HIDDEN, len(FAMILIES))

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.upper(self.lower(input_ids, attention_mask, LAYERS), attention_mask, LAYERS)

    def lower(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, upto: int) -> torch.Tensor:
        """Hidden states after the first ``upto`` layers (the frozen part, computed once when training)."""
        t = input_ids.shape[1]
        positions = torch.arange(t, device=input_ids.device).unsqueeze(0)
        x = self.word(input_ids) + self.position(positions) + self.token_type(torch.zeros_like(input_ids))
        x = self.dropout(self.emb_norm(x))
        bias = _bias(attention_mask, x.dtype)
        for layer in self.layers[:upto]:
            x = layer(x, bias)
        return x

    def upper(
        self, x: torch.Tensor, attention_mask: torch.Tensor, start: int
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The layers from ``start`` on, mean pooling and the heads."""
        if start == 0:
            x = self.dropout(x)  # the embedding dropout, when the embeddings' output was computed beforehand
        bias = _bias(attention_mask, x.dtype)
        for layer in self.layers[start:]:
            x = layer(x, bias)
        mask = attention_mask.to(x.dtype)
        pooled = (x * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        pooled = self.dropout(pooled)
        return self.classes(pooled), self.factuality(pooled), self.families(pooled)


def _bias(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return (1.0 - attention_mask.to(dtype))[:, None, None, :] * -10000.0


_RENAME = {
    "attention.self.query": "query",
    "attention.self.key": "key",
    "attention.self.value": "value",
    "attention.output.dense": "attn_out",
    "attention.output.LayerNorm": "attn_norm",
    "intermediate.dense": "inter",
    "output.dense": "out",
    "output.LayerNorm": "out_norm",
}


def load_base(path: Path) -> SentenceModel:
    """A model whose encoder holds the official weights; the heads are freshly initialised."""
    state = load_file(str(path))
    mapped: dict[str, torch.Tensor] = {}
    for name, tensor in state.items():
        name = name.removeprefix("bert.")
        if name.startswith("pooler.") or name.endswith("position_ids"):
            continue
        name = (
            name.replace("embeddings.word_embeddings", "word")
            .replace("embeddings.position_embeddings", "position")
            .replace("embeddings.token_type_embeddings", "token_type")
            .replace("embeddings.LayerNorm", "emb_norm")
            .replace("encoder.layer.", "layers.")
        )
        for old, new in _RENAME.items():
            name = name.replace(f".{old}.", f".{new}.")
        mapped[name] = tensor
    model = SentenceModel()
    missing, unexpected = model.load_state_dict(mapped, strict=False)
    heads = {"classes.weight", "classes.bias", "factuality.weight", "factuality.bias", "families.weight"}
    heads.add("families.bias")
    if unexpected or set(missing) - heads:
        raise SystemExit(f"{path}: weights do not fit MiniLM-L6: missing {missing}, unexpected {unexpected}")
    return model
