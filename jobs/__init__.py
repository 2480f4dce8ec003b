"""RQ job functions (thin: load rows by id, call services, save results) and the worker entry.

Job functions take ids, never ORM objects; they run inside the app context the worker pushes
once (jobs/worker.py) and open their own unit of work with ``get_db().session()``.
"""
