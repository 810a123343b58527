"""Training the sentence classifier (``make train``): data assembly, fine-tuning, ONNX export, cross-validation.

Needs the training requirements (``requirements-train.lock``, installed into ``.venv-train`` by the Makefile); the
product never imports this package. The label space is the runtime's (``powderkeg_extractor.classify.labels``).
"""
