"""Parallel approval: bundles (一件事) and investment projects by stage, with the lifelong project code."""
