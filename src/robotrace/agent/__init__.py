"""The provider agent: answers its own provider's hop requests from its own call records.

It polls the portal's API (``client``), searches the local records (``records``), posts
only the answer, and remembers what it answered (``state``); ``loop`` ties them together.
"""
