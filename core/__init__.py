"""What every layer shares: settings (:mod:`core.config`), errors (:mod:`core.errors`) and the
board registry (:mod:`core.boards`). Plain Python: it imports no other layer of the project and
none of SQLAlchemy, Streamlit or huggingface_hub.
"""
