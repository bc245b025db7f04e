"""The durable submission queue: the ``attempts`` table is the queue (no broker).

``claims`` holds the SQL of the protocol (claim, heartbeat, complete, fail, release);
``worker`` runs it with threads, signals and a grader.
"""
