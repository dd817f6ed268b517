"""The licensing domain: plain Python, no web or database imports.

Everything here can be unit-tested in milliseconds; the service layer loads state,
asks these functions what a change means, and writes the answer back.
"""
