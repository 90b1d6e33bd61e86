//! Placeholder: the codec helper fills this in.
