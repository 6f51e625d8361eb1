"""Importers turn model files into tinygen's graph IR."""
