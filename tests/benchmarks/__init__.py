"""Benchmarks (not collected by pytest). Run: .venv/bin/python -m tests.benchmarks [NAME ...]"""
