from callshift.cli import app

app(prog_name="callshift")
