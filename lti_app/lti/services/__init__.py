"""LTI Advantage service clients (token, roster, grades) returning plain values."""
