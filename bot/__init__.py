"""centre-bot: everything a person touches, in layers that import only downwards.

``qa`` answers questions from the index, ``telegram`` is the bot around it, ``ops`` keeps a deployment
running (doctor, health check, logs); ``settings`` and ``messages`` are shared by all, ``cli`` is the
command line.
"""
