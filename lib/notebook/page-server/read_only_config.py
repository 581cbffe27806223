# Jupyter Notebook server config for the Jupyter-page test (lib/notebook/jupyter-server.ts passes
# it with --config): the test opens the project's own notebooks/*.ipynb and runs them, so the
# server refuses every write through the contents API (autosave, checkpoints, renames) and the
# notebooks in the repository keep their clean, output-free form. `c` is the traitlets config.
from notebook.services.contents.largefilemanager import LargeFileManager
from tornado import web


class ReadOnlyContentsManager(LargeFileManager):
    def _refuse(self, what, path):
        raise web.HTTPError(403, "read-only test server: %s of %s refused" % (what, path))

    def save(self, model, path=""):
        self._refuse("save", path)

    def delete_file(self, path):
        self._refuse("delete", path)

    def rename_file(self, old_path, new_path):
        self._refuse("rename", old_path)

    def create_checkpoint(self, path):
        self._refuse("checkpoint", path)


c.NotebookApp.contents_manager_class = ReadOnlyContentsManager
