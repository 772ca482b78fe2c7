// mlpkit: train, evaluate, predict and inspect multi-layer perceptrons from CSV files.
// Exit codes: 0 ok, 1 a failed run, 2 bad usage or bad input, 130 interrupted (Ctrl-C).
// Errors print one line, `mlpkit: <message>`; --verbose adds the stack trace.

import { Command, CommanderError, Option } from 'commander';
import { ACTIVATIONS, LOSSES, OPTIMIZERS, MlpError } from '../src/index.ts';
import { listBackends } from '../src/lowlevel.ts';
import { EXIT_USAGE, UsageError, exitCodeOf } from './errors.ts';
import { DATASETS } from './data/sources.ts';
import { IMPUTE_METHODS } from './data/schema.ts';
import { parseClassWeight, parseDropout, parseImpute, parseInteger, parseHidden, parseList, parseNumber, parseTask, type GlobalOptions } from './options.ts';
import { train, type TrainOptions } from './commands/train.ts';
import { evaluate } from './commands/evaluate.ts';
import { predict, type PredictOptions } from './commands/predict.ts';
import { info } from './commands/info.ts';
import { gradcheck, type GradCheckFlags } from './commands/gradcheck.ts';
import { traceRow, type TraceFlags } from './commands/trace.ts';
import { cv, search, importance } from './commands/select.ts';
import { EXPORT_FORMATS, exportModel } from './commands/export.ts';
import { IMPORT_FORMATS, importModel } from './commands/import.ts';
import { createRequire } from 'node:module';

// the package's own package.json, by name (its "exports" list it): the same from cli/ and dist/cli/
const VERSION = (createRequire(import.meta.url)('mlpkit/package.json') as { version: string }).version;

function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

const dataOptions = (cmd: Command): Command =>
  cmd
    .option('--dataset <name>', `use a bundled data set instead of a CSV file (${DATASETS.join(', ')}; mnist: its test part)`)
    .option('--delimiter <char>', 'CSV field delimiter (default: guessed; "tab" for tabs)');

/** Which columns are the target and the features, and how they are read: train, cv and search share them. */
const columnOptions = (cmd: Command): Command =>
  cmd
    .option('--target <column[,column…]>', 'column to predict (default: the last column; "label" for --dataset); several comma-separated 0/1 columns (a,b,c): multi-label, one yes/no per label')
    .option('--features <columns>', 'comma-separated feature columns (default: all but the target)', parseList)
    .option('--ignore <columns>', 'comma-separated columns to leave out', parseList)
    .option('--categorical <columns>', 'comma-separated columns to one-hot encode even if they hold numbers', parseList)
    .addOption(new Option('--task <task>', 'classification or regression (default: inferred from the target)').argParser(parseTask))
    .addOption(new Option('--impute <method>', `fill missing feature values (${IMPUTE_METHODS.join('|')}; text columns take the most frequent value)`).argParser(parseImpute));

export function buildProgram(): Command {
  const program = new Command('mlpkit')
    .description('Train, evaluate, predict and inspect multi-layer perceptrons from CSV files.')
    .version(VERSION)
    .option('--json', 'machine-readable JSON on stdout')
    .option('-q, --quiet', 'no progress and no summaries')
    .option('--verbose', 'stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText('after', `\nExit codes: 0 ok, 1 failed run, 2 bad usage or bad input, 130 interrupted (Ctrl-C).\n${examples([
      'mlpkit train --dataset iris --val-split 0.2 --report report.html',
      'mlpkit train data.csv --target label --hidden 16 --epochs 200 --val-split 0.2',
      'mlpkit eval model.json --dataset iris',
      'mlpkit predict model.json data.csv --proba > predictions.csv',
      'mlpkit info model.json',
      'mlpkit export model.json --format onnx --out model.onnx',
    ])}`);

  const run = (fn: (...a: never[]) => Promise<number>) => async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const g = cmd.optsWithGlobals() as GlobalOptions;
    process.exitCode = await (fn as (...a: unknown[]) => Promise<number>)(...args.slice(0, -2), cmd.opts(), g);
  };

  columnOptions(dataOptions(program.command('train')
    .description('train a model on a CSV file (or a bundled data set) and save it')
    .argument('[data]', 'CSV file with a header row')))
    .option('--hidden <sizes>', 'hidden layer sizes, e.g. 64,32 ("none": no hidden layer); the library\'s `hidden`', parseHidden)
    .addOption(new Option('--layers <sizes>', 'old name of --hidden').argParser(parseHidden).hideHelp())
    .option('--activation <name>', `hidden activation (${ACTIVATIONS.filter((a) => a !== 'softmax').join(', ')})`)
    .option('--loss <name>', `loss (${LOSSES.join(', ')}; default from the task)`)
    .option('--optimizer <name>', `optimizer (${OPTIMIZERS.join(', ')})`)
    .option('--lr <rate>', 'learning rate (default: the optimizer\'s usual one)', parseNumber('--lr', (x) => x > 0, 'a number > 0 such as 0.01'))
    .option('--dropout <rates>', 'dropout rate of the hidden layers while training, e.g. 0.2 (or one per layer: 0.3,0.1)', parseDropout)
    .option('--epochs <n>', 'exactly this many epochs (in all, counting a resumed run\'s earlier ones); default: until the loss stops improving', parseInteger('--epochs', 1))
    .option('--max-epochs <n>', 'without --epochs: at most this many epochs (default 1000)', parseInteger('--max-epochs', 1))
    .option('--class-weight <weights>', 'weigh classes in the loss: "balanced" (n / (k · n_c)) or label=weight pairs like spam=5,ham=1', parseClassWeight)
    .option('--sample-weight <column>', 'a numeric column of per-row weights (≥ 0) for the loss; not used as a feature')
    .option('--batch-size <n>', 'samples per gradient step', parseInteger('--batch-size', 1))
    .option('--val-split <fraction>', 'fraction of rows held out for validation, e.g. 0.2', parseNumber('--val-split', (x) => x >= 0 && x < 1, 'a fraction in [0, 1) such as 0.2'))
    .option('--early-stop <patience>', 'stop after this many epochs without a better validation loss; keep the best weights', parseInteger('--early-stop', 1))
    .option('--weight-decay <lambda>', 'L2 weight decay', parseNumber('--weight-decay', (x) => x >= 0, 'a number ≥ 0'))
    .option('--clip-norm <norm>', 'clip gradients to this global L2 norm', parseNumber('--clip-norm', (x) => x >= 0, 'a number ≥ 0'))
    .option('--seed <n>', 'random seed (initialization, shuffling, validation split)', parseInteger('--seed', 0))
    .addOption(new Option('--dtype <type>', 'number type of weights and kernels').choices(['float32', 'float64']))
    .option('--backend <name>', `kernels: auto, ${listBackends().join(', ')}`)
    .option('--threads <n>', 'threads for the WebAssembly kernels (default: MLPKIT_THREADS, else all cores)', parseInteger('--threads', 1))
    .option('-o, --out <file>', 'where to save the model (.json, or .mlpk for the binary form; default model.json)')
    .option('--report <file>', 'write a self-contained HTML report')
    .option('--checkpoint-every <n>', 'save a checkpoint every N epochs', parseInteger('--checkpoint-every', 1))
    .option('--checkpoint <file>', 'checkpoint file (default: the model file with .ckpt before its extension)')
    .option('--resume <checkpoint>', 'continue a run from a checkpoint or saved model, exactly where it stopped')
    .addHelpText('after', `
CSV handling: a header row is required; quoted fields, CRLF and a UTF-8 BOM are fine. Numeric
columns are used as they are, text columns are one-hot encoded, and the target decides the task
(text or few integers: classification; other numbers: regression). Empty cells and NA, N/A, NaN,
null, ? are missing values: an error unless --impute is given. Everything fitted here is saved in
the model, so eval and predict take raw CSVs with the same columns in any order.
Multi-label: --target a,b,c names one column per label, each 0 or 1 (true/false, yes/no) in
every row (a row may have none); the model predicts a label set (one sigmoid output per label).
Ctrl-C stops after the current batch and saves the best model so far and a checkpoint.
${examples([
  'mlpkit train --dataset iris',
  'mlpkit train data.csv --target label --val-split 0.2 --report report.html',
  'mlpkit train houses.csv --target price --impute median --hidden 64,32 --epochs 300',
  'mlpkit train articles.csv --target sport,politics,tech --val-split 0.2   # multi-label',
  'mlpkit train --dataset digits --epochs 50 --checkpoint-every 5',
  'mlpkit train --resume model.ckpt.json --epochs 100',
])}`)
    .action(run(train as never));

  dataOptions(program.command('eval')
    .description('loss and metrics of a saved model on a labelled CSV')
    .argument('<model>', 'model file from mlpkit train')
    .argument('[data]', 'CSV file with the same columns (any order), target included'))
    .addHelpText('after', examples(['mlpkit eval model.json data.csv', 'mlpkit eval model.json --dataset iris --json']))
    .action(run(evaluate as never));

  dataOptions(program.command('predict')
    .description('one prediction per row, as CSV on stdout (or --out)')
    .argument('<model>', 'model file from mlpkit train')
    .argument('[data]', 'CSV file with the feature columns (any order; the target may be absent)'))
    .option('--proba', 'add one probability column per class (multi-label: per label)')
    .option('-o, --out <file>', 'write the predictions here instead of stdout')
    .addHelpText('after', examples(['mlpkit predict model.json new.csv > predictions.csv', 'mlpkit predict model.json --dataset iris --proba --out predictions.csv']))
    .action(run(predict as never));

  program.command('info')
    .description('summary of a saved model: layers, shapes, parameters, preprocessing, training')
    .argument('<model>', 'model file')
    .addHelpText('after', examples(['mlpkit info model.json', 'mlpkit info model.json --json']))
    .action(run(((m: string, _o: unknown, g: GlobalOptions) => info(m, g)) as never));

  dataOptions(program.command('gradcheck')
    .description('check backprop gradients against finite differences on a few rows')
    .argument('<model>', 'model file')
    .argument('[data]', 'labelled CSV file'))
    .option('--rows <n>', 'rows to check (default 8)', parseInteger('--rows', 1))
    .option('--eps <h>', 'finite-difference step', parseNumber('--eps', (x) => x > 0, 'a number > 0 such as 1e-4'))
    .option('--tolerance <t>', 'largest relative error that passes', parseNumber('--tolerance', (x) => x > 0, 'a number > 0 such as 1e-6'))
    .option('--max-per-tensor <n>', 'check at most this many entries of each W and b', parseInteger('--max-per-tensor', 1))
    .addHelpText('after', `\nExit code 1 when a gradient fails the check.\n${examples(['mlpkit gradcheck model.json --dataset iris', 'mlpkit gradcheck model.json data.csv --rows 32 --json'])}`)
    .action(run(gradcheck as never));

  dataOptions(program.command('trace')
    .description('every chain-rule factor for one sample, layer by layer')
    .argument('<model>', 'model file')
    .argument('[data]', 'labelled CSV file'))
    .option('--row <n>', 'data row (1 = the first row after the header)', parseInteger('--row', 1), 1)
    .addHelpText('after', examples(['mlpkit trace model.json --dataset iris --row 5', 'mlpkit trace model.json data.csv --row 5 --json']))
    .action(run(traceRow as never));

  // cv and search take train's column and model flags
  const selectCommand = (name: string, description: string) => columnOptions(dataOptions(program.command(name)
    .description(description)
    .argument('[data]', 'CSV file with a header row')))
    .option('--folds <k>', 'number of folds (default 5; stratified for classification)', parseInteger('--folds', 2))
    .option('--hidden <sizes>', 'hidden layer sizes, e.g. 64,32', parseHidden)
    .addOption(new Option('--layers <sizes>', 'old name of --hidden').argParser(parseHidden).hideHelp())
    .option('--activation <name>', 'hidden activation')
    .option('--optimizer <name>', 'optimizer')
    .option('--lr <rate>', 'learning rate', parseNumber('--lr', (x) => x > 0, 'a number > 0 such as 0.01'))
    .option('--epochs <n>', 'epochs per fold', parseInteger('--epochs', 1))
    .option('--batch-size <n>', 'samples per gradient step', parseInteger('--batch-size', 1))
    .option('--weight-decay <lambda>', 'L2 weight decay', parseNumber('--weight-decay', (x) => x >= 0, 'a number ≥ 0'))
    .option('--seed <n>', 'random seed (folds, initialization, shuffling)', parseInteger('--seed', 0))
    .option('--backend <name>', `kernels: auto, ${listBackends().join(', ')}`);

  selectCommand('cv', 'k-fold cross-validation of the given settings (train\'s flags)')
    .addHelpText('after', examples(['mlpkit cv --dataset iris', 'mlpkit cv data/iris.csv --target label --folds 10 --hidden 16 --lr 0.01']))
    .action(run(cv as never));

  selectCommand('search', 'cross-validate every combination of --grid values, best first')
    .option('--grid <flag=values>', 'a train flag and its candidates, e.g. "lr=0.001|0.01" or "hidden=16|64,32" (repeat for more)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--random <n>', 'try n random combinations instead of all', parseInteger('--random', 1))
    .addHelpText('after', examples(['mlpkit search --dataset iris --grid "lr=0.001|0.01" --grid "hidden=16|64,32" --folds 3']))
    .action(run(search as never));

  dataOptions(program.command('importance')
    .description('permutation importance of each input column of a saved model')
    .argument('<model>', 'model file')
    .argument('[data]', 'labelled CSV file (held-out rows are best)'))
    .option('--repeats <n>', 'shuffles per column (default 5)', parseInteger('--repeats', 1))
    .option('--seed <n>', 'seed of the shuffles (default 0)', parseInteger('--seed', 0))
    .addHelpText('after', examples(['mlpkit importance model.json data/iris.csv', 'mlpkit importance model.json test.csv --repeats 10 --json']))
    .action(run(importance as never));
  program.command('export')
    .description('write a saved model as ONNX, PyTorch (safetensors + a Python file) or TensorFlow.js')
    .argument('<model>', 'model file')
    .addOption(new Option('--format <format>', 'target format').choices([...EXPORT_FORMATS]).makeOptionMandatory())
    .option('-o, --out <path>', 'ONNX: the .onnx file; pytorch: the .safetensors file (the .py goes beside it); tfjs: a directory (default model.onnx, model.safetensors, model-tfjs)')
    .addHelpText('after', `
The exports take raw rows of the model's numeric inputs (the input scaling is folded into the
first layer) and answer as predictProba / predict: class probabilities, or the target in its units.
A model the format cannot express exactly is refused with a message naming what is missing.
See docs/interop.md.
${examples([
  'mlpkit export model.json --format onnx --out model.onnx',
  'mlpkit export model.json --format pytorch --out model.safetensors   # also writes model.py',
  'mlpkit export model.json --format tfjs --out web/model              # model.json + group1-shard1of1.bin',
])}`)
    .action(run(((m: string, o: never, g: GlobalOptions) => exportModel(m, o, g)) as never));

  program.command('import')
    .description('turn an ONNX, PyTorch .safetensors or TensorFlow.js model into an mlpkit model file')
    .argument('<file>', '.onnx file, .safetensors file, or a TF.js model.json (or its directory)')
    .option('-o, --out <file>', 'where to save the mlpkit model (.json, or .mlpk; default model.json)')
    .addOption(new Option('--format <format>', 'the file\'s format (default: from its name)').choices([...IMPORT_FORMATS]))
    .addOption(new Option('--task <task>', 'classification or regression (default: from the metadata, else from the output activation)').choices(['classification', 'regression']))
    .option('--classes <labels>', 'comma-separated class labels in output order (default: from the metadata, else 0, 1, …)', parseList)
    .option('--activations <names>', 'safetensors without mlpkit metadata: the activation after each Linear layer, e.g. relu,relu,softmax', parseList)
    .option('--alpha <a>', 'with --activations: the leakyRelu slope or elu α', parseNumber('--alpha', (x) => x > 0, 'a number > 0'))
    .addHelpText('after', examples([
      'mlpkit import model.onnx --out model.json',
      'mlpkit import trained.safetensors --out model.json',
      'mlpkit import weights.safetensors --activations relu,softmax --classes cat,dog,bird',
      'mlpkit import web/model/model.json --out model.json',
    ]))
    .action(run(((f: string, o: never, g: GlobalOptions) => importModel(f, o, g)) as never));

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander printed its message already; help and version are not errors
      // (`mlpkit` alone prints the help as an error: 'commander.help' with exit code 1)
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.help') return e.exitCode === 0 ? 0 : EXIT_USAGE;
      return EXIT_USAGE;
    }
    const verbose = argv.includes('--verbose');
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`mlpkit: ${msg}\n`);
    if (verbose && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
    else if (!(e instanceof UsageError || e instanceof MlpError)) process.stderr.write('(an unexpected error: run with --verbose for the stack trace, and please report it)\n');
    return exitCodeOf(e);
  }
}

// `mlpkit predict … | head`: the reader closing the pipe early is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = await main(process.argv);
