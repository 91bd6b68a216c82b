"""hub-textgen: textgenrnn's pretrained character-level LSTM language model (``textgen_lstm``) for hubcore."""

__version__ = "0.1.0"
