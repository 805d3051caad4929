"""Sentence encoders: the protocol the summarisers need, the torch and ONNX engines, and their padding."""
