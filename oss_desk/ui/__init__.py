"""The desk app (Textual). The only package that may import Textual or Rich."""
