"""The same network trained on scikit-learn's datasets by PyTorch and by scikit-learn, for
the comparison with runner (issue 23, item 6).

    python bench/sklearn_peers.py DATA_DIR OUT_DIR [SEEDS [NAMES]]

NAMES: a comma-separated subset of digits,wine,breast_cancer,diabetes (default: all).

For each of digits, wine, breast_cancer (bench/sklearn_export.py's CSVs): a 100-unit ReLU
hidden layer, Adam (lr 0.001, betas 0.9/0.999, eps 1e-8, no weight decay), batch 32, 50 epochs,
features standardised with the training part's mean and population deviation, seeds 1..SEEDS
(default 5). PyTorch 1.13: nn.Sequential(Linear, ReLU, Linear), CrossEntropyLoss, DataLoader
shuffling, torch.manual_seed(seed). scikit-learn: MLPClassifier(hidden_layer_sizes=(100,),
solver="adam", alpha=0, batch_size=32, max_iter=50, tol=0, n_iter_no_change=10**9,
random_state=seed). Writes OUT_DIR/<program>/sklearn_<name>,seed=<seed>.csv with the final
epoch's test loss (mean NLL) and accuracy (%), the form `runner report --reference` reads.

Regression, diabetes: the same layer, Adam lr 0.001, batch 32, 200 epochs (MLPRegressor's
defaults for both), standardised features and raw targets; PyTorch with MSELoss,
scikit-learn's MLPRegressor(hidden_layer_sizes=(100,), solver="adam", alpha=0, batch_size=32,
max_iter=200, tol=0, n_iter_no_change=10**9, random_state=seed). The files hold the test
loss (mean squared error) and RMSE.
"""
import csv, os, sys, warnings

import numpy as np
import torch
from torch import nn
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.neural_network import MLPClassifier, MLPRegressor

data_dir, out_dir = sys.argv[1], sys.argv[2]
seeds = range(1, int(sys.argv[3]) + 1 if len(sys.argv) > 3 else 6)
names = sys.argv[4].split(",") if len(sys.argv) > 4 else ["digits", "wine", "breast_cancer", "diabetes"]
warnings.filterwarnings("ignore", category=ConvergenceWarning)
torch.set_num_threads(1)


def load(name, part, kind=int):
    rows = list(csv.reader(open(os.path.join(data_dir, f"{name}-{part}.csv"))))
    x = np.array([[float(v) for v in r[:-1]] for r in rows[1:]], dtype=np.float64)
    y = np.array([kind(r[-1]) for r in rows[1:]])
    return x, y


def write(program, name, seed, loss, accuracy=None, rmse=None, epochs=50):
    folder = os.path.join(out_dir, program)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"sklearn_{name},seed={seed}.csv"), "w") as f:
        if rmse is None:
            f.write(f"epoch,test_loss,test_accuracy\n{epochs},{loss:.8f},{accuracy:.4f}\n")
        else:
            f.write(f"epoch,test_loss,test_rmse\n{epochs},{loss:.8f},{rmse:.8f}\n")


def standardized(x_train, x_test):
    mean, sd = x_train.mean(axis=0), x_train.std(axis=0)
    sd[sd == 0] = 1
    return (x_train - mean) / sd, (x_test - mean) / sd


def torch_fit(seed, x, y, outputs, loss, epochs):
    """The network trained by PyTorch: seed, nn.Sequential(Linear, ReLU, Linear), Adam lr 0.001,
    shuffled batches of 32, `loss` on each; returns the model in evaluation mode."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(x.shape[1], 100), nn.ReLU(), nn.Linear(100, outputs))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(x, dtype=torch.float32), y),
                                         batch_size=32, shuffle=True)
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss(model(xb), yb).backward()
            optimizer.step()
    model.eval()
    return model


for name in [n for n in ["digits", "wine", "breast_cancer"] if n in names]:
    x_train, y_train = load(name, "train")
    x_test, y_test = load(name, "test")
    x_train, x_test = standardized(x_train, x_test)
    classes = int(y_train.max()) + 1
    for seed in seeds:
        model = torch_fit(seed, x_train, torch.tensor(y_train), classes, nn.functional.cross_entropy, 50)
        with torch.no_grad():
            logits = model(torch.tensor(x_test, dtype=torch.float32))
            loss = nn.functional.cross_entropy(logits, torch.tensor(y_test)).item()
            accuracy = 100 * (logits.argmax(1).numpy() == y_test).mean()
        write("pytorch", name, seed, loss, accuracy)

        mlp = MLPClassifier(hidden_layer_sizes=(100,), solver="adam", alpha=0, batch_size=32, learning_rate_init=0.001,
                            max_iter=50, tol=0, n_iter_no_change=10**9, random_state=seed)
        mlp.fit(x_train, y_train)
        probabilities = mlp.predict_proba(x_test)
        write("sklearn", name, seed, log_loss(y_test, probabilities, labels=list(range(classes))),
              100 * (mlp.predict(x_test) == y_test).mean())
    print(f"{name}: done, seeds {list(seeds)}", flush=True)

x_train, y_train = load("diabetes", "train", float)
x_test, y_test = load("diabetes", "test", float)
x_train, x_test = standardized(x_train, x_test)
for seed in seeds if "diabetes" in names else []:
    model = torch_fit(seed, x_train, torch.tensor(y_train, dtype=torch.float32)[:, None], 1, nn.functional.mse_loss, 200)
    with torch.no_grad():
        outputs = model(torch.tensor(x_test, dtype=torch.float32))[:, 0].double().numpy()
    mse = mean_squared_error(y_test, outputs)
    write("pytorch", "diabetes", seed, mse, rmse=mse ** 0.5, epochs=200)

    mlp = MLPRegressor(hidden_layer_sizes=(100,), solver="adam", alpha=0, batch_size=32, learning_rate_init=0.001,
                       max_iter=200, tol=0, n_iter_no_change=10**9, random_state=seed)
    mlp.fit(x_train, y_train)
    mse = mean_squared_error(y_test, mlp.predict(x_test))
    write("sklearn", "diabetes", seed, mse, rmse=mse ** 0.5, epochs=200)
if "diabetes" in names:
    print(f"diabetes: done, seeds {list(seeds)}", flush=True)
