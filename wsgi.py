from mentorhub import create_app

app = create_app()
