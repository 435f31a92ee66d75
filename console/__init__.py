"""A local console for Trust Builder: play both partners on a simulated Echo and phone (python -m console)."""
